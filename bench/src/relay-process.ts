import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TempDirs } from './node-fixtures.ts';

/**
 * A real `kith-relay` process on loopback for the relay benchmarks, started as an operator runs
 * it (Node on `apps/relay/src/main.ts`, as in the README's systemd unit). Every wait is bounded
 * and re-checks on what the process prints.
 */

const MAIN = fileURLToPath(new URL('../../apps/relay/src/main.ts', import.meta.url));
const WAIT_MS = 30_000;

/**
 * Loaded into the relay with `--import` (and `--expose-gc`): on SIGUSR2 it runs a full
 * collection and says so on stderr, so memory is read after a GC. The relay itself is unchanged.
 */
const GC_HOOK =
  'data:text/javascript,process.on("SIGUSR2",()=>{globalThis.gc();process.stderr.write("bench-gc-done\\n")})';

/**
 * Loaded with `--import`: makes the relay's @kith/core verify with Node's Ed25519, as
 * `installNodeCrypto()` would (the relay process does not call it; devices do).
 */
const NODE_ED25519 = `data:text/javascript,import{installNodeCrypto}from"${
  new URL('../../packages/node/src/crypto/node-ed25519.ts', import.meta.url).href
}";installNodeCrypto()`;

export interface RelayOptions {
  /** More `kith-relay` flags (rate limits, reservations...). */
  readonly args?: readonly string[];
  /** Verify signatures with Node's Ed25519 rather than @kith/core's default (noble). */
  readonly nodeEd25519?: boolean;
  /** Write a CPU profile (`node --cpu-prof`) into this directory when the relay stops. */
  readonly cpuProfileDir?: string | undefined;
}

/** The relay's `/metrics`, the series the benchmarks read. */
export interface RelayMetrics {
  readonly connections: number;
  readonly reservations: number;
  readonly messagesIn: number;
  readonly messagesOut: number;
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  readonly heapTotalBytes: number;
  readonly externalBytes: number;
}

export class RelayProcess {
  readonly #child: ChildProcess;
  readonly #dirs: TempDirs;
  readonly #watchers = new Set<() => void>();
  #stderr = '';
  #gcs = 0;
  #ready: { multiaddrs: string[]; http: string } | undefined;

  private constructor(child: ChildProcess, dirs: TempDirs) {
    this.#child = child;
    this.#dirs = dirs;
    child.stderr?.on('data', (chunk: Buffer) => {
      this.#stderr += chunk.toString();
      this.#notify();
    });
    child.once('exit', () => {
      this.#notify();
    });
  }

  static async start(options: RelayOptions = {}): Promise<RelayProcess> {
    const dirs = new TempDirs();
    const dataDir = await dirs.make('relay');
    const profile =
      options.cpuProfileDir === undefined
        ? []
        : ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`];
    const child = spawn(
      process.execPath,
      [
        '--conditions=@kith/source',
        '--disable-warning=ExperimentalWarning',
        '--expose-gc',
        `--import=${GC_HOOK}`,
        ...(options.nodeEd25519 === true ? [`--import=${NODE_ED25519}`] : []),
        ...profile,
        MAIN,
        '--data-dir',
        dataDir,
        '--listen',
        '/ip4/127.0.0.1/tcp/0',
        '--http',
        '127.0.0.1:0',
        '--log-level',
        'warn',
        ...(options.args ?? []),
      ],
      {
        env: Object.fromEntries(
          Object.entries(process.env).filter(([k]) => !k.startsWith('KITH_RELAY_')),
        ),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const relay = new RelayProcess(child, dirs);
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      relay.#notify();
    });
    try {
      // Ready once it printed its addresses, one per line.
      await relay.#until(
        'the relay to be ready',
        () => stdout.includes('/p2p/') && stdout.endsWith('\n'),
      );
      const multiaddrs = stdout.split('\n').filter((l) => l.includes('/p2p/'));
      // Written before the addresses are printed: the real port of `--http 127.0.0.1:0`.
      const http = (await readFile(join(dataDir, 'http-address'), 'utf8')).trim();
      relay.#ready = { multiaddrs, http };
    } catch (error) {
      await relay.stop();
      throw error;
    }
    return relay;
  }

  /** The relay's TCP address, ending in /p2p/<peer id>. */
  get address(): string {
    const address = this.#ready?.multiaddrs.find((m) => m.includes('/tcp/'));
    if (address === undefined) throw new Error('the relay has no TCP address');
    return address;
  }

  async metrics(): Promise<RelayMetrics> {
    const url = this.#ready?.http;
    if (url === undefined) throw new Error('the relay is not ready');
    const response = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(WAIT_MS) });
    const text = await response.text();
    const value = (series: string): number => {
      const line = text.split('\n').find((l) => l.startsWith(`${series} `));
      if (line === undefined) throw new Error(`/metrics has no ${series}`);
      return Number(line.slice(series.length + 1));
    };
    return {
      connections: value('kith_relay_connections'),
      reservations: value('kith_relay_reservations'),
      messagesIn: value('kith_relay_messages_in_total'),
      messagesOut: value('kith_relay_messages_out_total'),
      rssBytes: value('process_resident_memory_bytes'),
      heapUsedBytes: value('nodejs_heap_used_bytes'),
      heapTotalBytes: value('nodejs_heap_total_bytes'),
      externalBytes: value('nodejs_external_memory_bytes'),
    };
  }

  /** A full garbage collection in the relay, then its metrics. */
  async metricsAfterGc(): Promise<RelayMetrics> {
    const before = this.#gcs;
    this.#child.kill('SIGUSR2');
    await this.#until('the relay to collect garbage', () => {
      this.#gcs = this.#stderr.split('bench-gc-done\n').length - 1;
      return this.#gcs > before;
    });
    return this.metrics();
  }

  /**
   * Resolves once the relay's metrics satisfy `check`. The metrics are read again as soon as
   * the previous read returns (a scrape costs the relay well under a millisecond).
   */
  async metricsWhen(
    what: string,
    check: (m: RelayMetrics) => boolean,
    ms = WAIT_MS,
  ): Promise<RelayMetrics> {
    const deadline = performance.now() + ms;
    let last: RelayMetrics | undefined;
    while (performance.now() < deadline) {
      last = await this.metrics();
      if (check(last)) return last;
    }
    throw new Error(`timed out after ${ms / 1000} s waiting for ${what}: ${JSON.stringify(last)}`);
  }

  /** Stops it with SIGTERM (as an operator would), waits for it to exit, removes its data. */
  async stop(): Promise<void> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) {
      const exited = this.#until('the relay to exit', () => this.#exited(), false);
      this.#child.kill('SIGTERM');
      await exited.catch((error: unknown) => {
        this.#child.kill('SIGKILL');
        throw error;
      });
    }
    await this.#dirs.removeAll();
  }

  #exited(): boolean {
    return this.#child.exitCode !== null || this.#child.signalCode !== null;
  }

  /** Resolves once `check` holds, re-checked on output; fails after WAIT_MS, or on exit. */
  #until(what: string, check: () => boolean, failOnExit = true): Promise<void> {
    return new Promise((resolve, reject) => {
      const finish = (error?: Error): void => {
        clearTimeout(timer);
        this.#watchers.delete(watcher);
        if (error === undefined) resolve();
        else reject(error);
      };
      const timer = setTimeout(() => {
        finish(new Error(`timed out waiting for ${what}: ${this.#stderr.slice(-2000)}`));
      }, WAIT_MS);
      const watcher = (): void => {
        if (check()) finish();
        else if (failOnExit && this.#exited()) {
          finish(
            new Error(`the relay exited while waiting for ${what}: ${this.#stderr.slice(-2000)}`),
          );
        }
      };
      this.#watchers.add(watcher);
      watcher();
    });
  }

  #notify(): void {
    for (const watcher of [...this.#watchers]) watcher();
  }
}
