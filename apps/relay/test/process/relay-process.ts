import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/kith-relay.js', import.meta.url));

/** How long a wait for the relay process may take before the test fails saying what it waited for. */
export const WAIT_MS = 30_000;

/** Loopback only, ports chosen by the system: tests never collide or reach outside. */
const LOOPBACK_ARGS = [
  '--listen',
  '/ip4/127.0.0.1/tcp/0',
  '--listen',
  '/ip4/127.0.0.1/tcp/0/ws',
  '--http',
  '127.0.0.1:0',
] as const;

export interface LogLine {
  readonly ts: string;
  readonly level: string;
  readonly msg: string;
  readonly [field: string]: unknown;
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A temporary data directory. */
export function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'kith-relay-test-'));
}

/** Runs `kith-relay ARGS` to its end (for --help, bad settings...), bounded by WAIT_MS. */
export async function runRelay(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<Exit> {
  const child = spawnRelay(args, env);
  const out = collect(child);
  return await exitOf(child, out, 'kith-relay to exit');
}

/**
 * A relay process started through the `kith-relay` bin, seen from a test: its log lines (JSON
 * on stderr), its stdout, and waits that re-check on whatever it prints, each bounded.
 */
export class RelayProcess {
  readonly dataDir: string;
  readonly child: ChildProcess;
  readonly logs: LogLine[] = [];
  readonly #out: { stdout: string; stderr: string };
  readonly #watchers = new Set<() => void>();
  #ready: LogLine | undefined;

  private constructor(dataDir: string, child: ChildProcess) {
    this.dataDir = dataDir;
    this.child = child;
    this.#out = collect(child);
    let pending = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines)
        if (line.startsWith('{')) this.logs.push(JSON.parse(line) as LogLine);
      this.#notify();
    });
    child.stdout?.on('data', () => {
      this.#notify();
    });
    child.once('exit', () => {
      this.#notify();
    });
  }

  /** Starts a relay on loopback on `dataDir` (a new one by default) and waits until it is ready. */
  static async start(
    options: { dataDir?: string; args?: readonly string[]; env?: Record<string, string> } = {},
  ): Promise<RelayProcess> {
    const dataDir = options.dataDir ?? (await tempDir());
    const child = spawnRelay(
      ['--data-dir', dataDir, ...LOOPBACK_ARGS, ...(options.args ?? [])],
      options.env ?? {},
    );
    const relay = new RelayProcess(dataDir, child);
    // Ready once it said so and printed its addresses.
    await relay.until(
      'the relay to be ready',
      () => relay.stdout.includes('/p2p/') && relay.log('ready') !== undefined,
    );
    relay.#ready = relay.log('ready');
    return relay;
  }

  /** The first log line with this message. */
  log(msg: string): LogLine | undefined {
    return this.logs.find((l) => l.msg === msg);
  }

  /** Resolves once `check` holds, re-checked whenever the process prints; fails if it exits first. */
  until(what: string, check: () => boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#watchers.delete(watcher);
        reject(new Error(`timed out waiting for ${what}: ${this.stderr}`));
      }, WAIT_MS);
      const watcher = (): void => {
        if (check()) {
          clearTimeout(timer);
          this.#watchers.delete(watcher);
          resolve();
        } else if (this.child.exitCode !== null || this.child.signalCode !== null) {
          clearTimeout(timer);
          this.#watchers.delete(watcher);
          reject(
            new Error(
              `the relay exited (${this.child.exitCode ?? this.child.signalCode}) while waiting for ${what}: ${this.stderr}`,
            ),
          );
        }
      };
      this.#watchers.add(watcher);
      watcher();
    });
  }

  #notify(): void {
    for (const w of [...this.#watchers]) w();
  }

  get ready(): LogLine {
    if (this.#ready === undefined) throw new Error('not ready');
    return this.#ready;
  }

  get stdout(): string {
    return this.#out.stdout;
  }

  get stderr(): string {
    return this.#out.stderr;
  }

  get peerId(): string {
    return String(this.ready['peerId']);
  }

  get multiaddrs(): string[] {
    return this.ready['multiaddrs'] as string[];
  }

  /** The TCP address, ending in /p2p/<peer id>. */
  get tcpAddress(): string {
    const a = this.multiaddrs.find((m) => !m.includes('/ws/'));
    if (a === undefined) throw new Error('the relay has no TCP address');
    return a;
  }

  get httpUrl(): string {
    return String(this.ready['http']);
  }

  async get(path: string): Promise<{ status: number; text: string; type: string | null }> {
    const response = await fetch(`${this.httpUrl}${path}`, {
      signal: AbortSignal.timeout(WAIT_MS),
    });
    return {
      status: response.status,
      text: await response.text(),
      type: response.headers.get('content-type'),
    };
  }

  /** The value of an unlabelled metric (or of one labelled series: `name{label="v"}`). */
  async metric(series: string): Promise<number | undefined> {
    const { text } = await this.get('/metrics');
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  }

  /** Sends a signal and waits for the process to exit. */
  async signal(signal: NodeJS.Signals = 'SIGTERM'): Promise<Exit> {
    const exited = exitOf(this.child, this.#out, `the relay to exit on ${signal}`);
    this.child.kill(signal);
    return await exited;
  }

  /** Stops it (if it runs) and removes its data directory. */
  async remove(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null)
      await this.signal('SIGTERM');
    await rm(this.dataDir, { recursive: true, force: true });
  }
}

function spawnRelay(args: readonly string[], env: Readonly<Record<string, string>>): ChildProcess {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('KITH_RELAY_')),
  );
  return spawn(process.execPath, [BIN, ...args], {
    env: { ...clean, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function collect(child: ChildProcess): { stdout: string; stderr: string } {
  const out = { stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk: Buffer) => {
    out.stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    out.stderr += chunk.toString();
  });
  return out;
}

function exitOf(
  child: ChildProcess,
  out: { stdout: string; stderr: string },
  what: string,
): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      clearTimeout(timer);
      resolve({ code: child.exitCode, signal: child.signalCode, ...out });
    };
    const timer = setTimeout(() => {
      child.off('close', done);
      reject(new Error(`timed out waiting for ${what}: ${out.stderr}`));
    }, WAIT_MS);
    if (child.exitCode !== null || child.signalCode !== null) {
      // 'close' may have fired already; the streams are read.
      done();
      return;
    }
    child.once('close', done);
  });
}
