import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));
const WAIT_MS = 30_000;

export interface RpcReply {
  readonly status: number;
  readonly result?: unknown;
  readonly error?: { code: number; message: string; data?: { kithCode: string } };
}

/** Runs `kith` once (not a daemon) and collects its output. */
export function runKith(
  args: readonly string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=@kith/source', MAIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`kith ${args.join(' ')} did not finish`));
    }, WAIT_MS);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * A `kith daemon` process on loopback with its own data directory, driven over its JSON-RPC:
 * what the demo plays with, and what the CLI's tests drive.
 */
export class Daemon {
  readonly name: string;
  readonly dataDir: string;
  readonly #child: ChildProcess;
  port = 0;
  token = '';
  #nextId = 1;

  private constructor(name: string, dataDir: string, child: ChildProcess) {
    this.name = name;
    this.dataDir = dataDir;
    this.#child = child;
  }

  /** Starts a daemon on a new data directory, or on `dataDir` (a restart), with these relays. */
  static async start(
    name: string,
    dataDir?: string,
    relays: readonly string[] = [],
  ): Promise<Daemon> {
    dataDir ??= await mkdtemp(join(tmpdir(), `kith-daemon-${name}-`));
    const child = spawn(
      process.execPath,
      [
        '--conditions=@kith/source',
        MAIN,
        '--data-dir',
        dataDir,
        'daemon',
        '--rpc-port',
        '0',
        '--name',
        name,
        '--listen',
        '/ip4/127.0.0.1/tcp/0',
        '--no-mdns',
        ...relays.flatMap((r) => ['--relay', r]),
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const daemon = new Daemon(name, dataDir, child);
    await new Promise<void>((resolve, reject) => {
      let log = '';
      const timer = setTimeout(() => {
        reject(new Error(`${name} did not start: ${log}`));
      }, WAIT_MS);
      child.stderr.on('data', (chunk: Buffer) => {
        log += chunk.toString();
        if (log.includes('JSON-RPC on')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited (${code}): ${log}`));
      });
    });
    daemon.port = Number((await readFile(join(dataDir, 'rpc-port'), 'utf8')).trim());
    daemon.token = (await readFile(join(dataDir, 'rpc-token'), 'utf8')).trim();
    return daemon;
  }

  /** A raw JSON-RPC exchange, with the daemon's token unless `token` is given. */
  async rpc(method: string, params?: unknown, token = this.token): Promise<RpcReply> {
    const response = await fetch(`http://127.0.0.1:${this.port}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ jsonrpc: '2.0', id: this.#nextId++, method, params }),
    });
    const body = (await response.json()) as Omit<RpcReply, 'status'>;
    return { status: response.status, ...body };
  }

  /** Calls a method and returns its result, failing the test on an error reply. */
  async call<T>(method: string, params?: unknown): Promise<T> {
    const reply = await this.rpc(method, params);
    if (reply.error !== undefined) {
      throw new Error(`${this.name}.${method}: ${reply.error.code} ${reply.error.message}`);
    }
    return reply.result as T;
  }

  /** Re-checks `check` after each change the daemon reports (`waitForChange`), bounded. */
  async until(what: string, check: () => Promise<boolean>, timeoutMs = WAIT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let seen = (await this.call<{ changes: number }>('waitForChange', { timeoutMs: 0 })).changes;
    while (!(await check())) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.name}: timed out waiting for ${what}`);
      const next = await this.call<{ changes: number }>('waitForChange', {
        after: seen,
        timeoutMs: Math.min(left, 5000),
      });
      seen = next.changes;
    }
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.#child.once('exit', resolve));
    this.#child.kill('SIGTERM');
    await exited;
  }

  async remove(): Promise<void> {
    await this.stop();
    await rm(this.dataDir, { recursive: true, force: true });
  }
}
