import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_WAIT_MS, launch, LaunchedProcess } from '@kith/node/process';

/**
 * A `kith-relay` process started from another process: the relay's tests, the benchmarks, the
 * CLI's tests and `pnpm demo` all start their relays here (`@kith/relay/process`), through the
 * shared launcher (`@kith/node/process`): in its own process group, tied to the life of the
 * process that started it.
 */

const BIN = fileURLToPath(new URL('../../bin/kith-relay.js', import.meta.url));
const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));

/** How long a wait for the relay process may take before it fails saying what it waited for. */
export const WAIT_MS = DEFAULT_WAIT_MS;

/** Loopback only, ports chosen by the system: relays started here never collide or reach out. */
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

export interface RelayLaunchOptions {
  /** Its data directory: a new temporary one by default. */
  readonly dataDir?: string;
  /** More `kith-relay` flags, after the loopback ones (more `--listen`, limits...). */
  readonly args?: readonly string[];
  /** Variables over this process's environment, from which every KITH_RELAY_ one is removed. */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Flags for Node (`--expose-gc`, `--import`, `--cpu-prof`...): the relay then runs as
   * `node FLAGS src/main.ts` in one process, rather than through the `kith-relay` bin.
   */
  readonly nodeArgs?: readonly string[];
}

/** A temporary data directory. */
export function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'kith-relay-'));
}

/** Runs `kith-relay ARGS` to its end (for --help, bad settings...), bounded by WAIT_MS. */
export async function runRelay(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<Exit> {
  const launched = LaunchedProcess.start({
    name: 'kith-relay',
    ...relayCommand(args, undefined),
    env: relayEnv(env),
  });
  // Killed if it has not ended by then: its exit then says SIGKILL.
  const exit = await launched.ended(WAIT_MS);
  return { ...exit, stdout: launched.stdout, stderr: launched.stderr };
}

/**
 * A running relay seen from the process that started it: its log lines (JSON on stderr), its
 * addresses, its HTTP endpoints, and waits that re-check on whatever it prints, each bounded.
 */
export class RelayProcess {
  readonly dataDir: string;
  readonly logs: LogLine[] = [];
  readonly #process: LaunchedProcess;
  #http: string | undefined;

  private constructor(dataDir: string, launched: LaunchedProcess) {
    this.dataDir = dataDir;
    this.#process = launched;
  }

  /** Starts a relay on loopback and waits until it is ready (its addresses printed). */
  static async start(options: RelayLaunchOptions = {}): Promise<RelayProcess> {
    const dataDir = options.dataDir ?? (await tempDir());
    const args = ['--data-dir', dataDir, ...LOOPBACK_ARGS, ...(options.args ?? [])];
    let relay: RelayProcess | undefined;
    // Below info, the relay does not log 'ready': its printed addresses are enough.
    const level = args[args.lastIndexOf('--log-level') + 1];
    const logsReady = !args.includes('--log-level') || level === 'info' || level === 'debug';
    try {
      await launch(
        { name: 'kith-relay', ...relayCommand(args, options.nodeArgs), env: relayEnv(options.env) },
        {
          what: 'the relay to be ready',
          check: (p) => {
            relay ??= new RelayProcess(dataDir, p).#listen();
            const printed = p.stdout.includes('/p2p/') && p.stdout.endsWith('\n');
            return printed && (!logsReady || relay.log('ready') !== undefined);
          },
        },
      );
    } catch (error) {
      if (options.dataDir === undefined) await rm(dataDir, { recursive: true, force: true });
      throw error;
    }
    if (relay === undefined) throw new Error('kith-relay: ready before it started');
    // Written before the addresses are printed: the real port of `--http 127.0.0.1:0`.
    relay.#http = await readFile(join(dataDir, 'http-address'), 'utf8').then(
      (text) => text.trim(),
      () => undefined,
    );
    return relay;
  }

  #listen(): this {
    this.#process.onLine('stderr', (line) => {
      if (line.startsWith('{')) this.logs.push(JSON.parse(line) as LogLine);
    });
    return this;
  }

  /** The process, for what this class does not offer (its pid, a signal). */
  get process(): LaunchedProcess {
    return this.#process;
  }

  /** The first log line with this message. */
  log(msg: string): LogLine | undefined {
    return this.logs.find((l) => l.msg === msg);
  }

  /** Resolves once `check` holds, re-checked whenever the relay prints; fails if it exits. */
  until(what: string, check: () => boolean, ms = WAIT_MS): Promise<void> {
    return this.#process.until(what, check, { ms });
  }

  /** The 'ready' log line (undefined when started with a log level above info). */
  get ready(): LogLine | undefined {
    return this.log('ready');
  }

  get stdout(): string {
    return this.#process.stdout;
  }

  get stderr(): string {
    return this.#process.stderr;
  }

  /** The addresses it printed once ready, each ending in /p2p/<peer id>. */
  get multiaddrs(): string[] {
    return this.stdout.split('\n').filter((line) => line.includes('/p2p/'));
  }

  get peerId(): string {
    const first = this.multiaddrs[0] ?? '';
    return first.slice(first.lastIndexOf('/p2p/') + '/p2p/'.length);
  }

  /** The TCP address, ending in /p2p/<peer id>. */
  get tcpAddress(): string {
    const a = this.multiaddrs.find((m) => !m.includes('/ws/'));
    if (a === undefined) throw new Error('the relay has no TCP address');
    return a;
  }

  /** Where /health and /metrics answer (`http://127.0.0.1:PORT`). */
  get httpUrl(): string {
    if (this.#http === undefined) throw new Error('the relay serves no HTTP (--http off)');
    return this.#http;
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

  /**
   * Sends a signal and waits for the exit (SIGKILL goes to the whole process group: through
   * the bin, the relay itself is the bin's child). Killed if it has not exited within WAIT_MS.
   */
  async signal(signal: NodeJS.Signals = 'SIGTERM'): Promise<Exit> {
    const exit = await this.#process.stop(signal, WAIT_MS);
    return { ...exit, stdout: this.stdout, stderr: this.stderr };
  }

  /** Stops it with SIGTERM, as an operator would (if it runs), and waits for the exit. */
  async stop(): Promise<void> {
    if (this.#process.exit === undefined) await this.signal('SIGTERM');
  }

  /** Stops it (if it runs) and removes its data directory. */
  async remove(): Promise<void> {
    await this.stop();
    await rm(this.dataDir, { recursive: true, force: true });
  }
}

/** Through the bin, as an operator runs it; or on Node directly when Node needs flags. */
function relayCommand(
  args: readonly string[],
  nodeArgs: readonly string[] | undefined,
): { args: string[] } {
  if (nodeArgs === undefined) return { args: [BIN, ...args] };
  const flags = ['--conditions=@kith/source', '--disable-warning=ExperimentalWarning'];
  return { args: [...flags, ...nodeArgs, MAIN, ...args] };
}

/** This process's environment without its KITH_RELAY_ settings, then `env`. */
function relayEnv(env: Readonly<Record<string, string>> = {}): Record<string, string | undefined> {
  const cleared = Object.fromEntries(
    Object.keys(process.env)
      .filter((k) => k.startsWith('KITH_RELAY_'))
      .map((k) => [k, undefined]),
  );
  return { ...cleared, ...env };
}
