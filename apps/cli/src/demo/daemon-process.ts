import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, LaunchedProcess } from '@kith/node/process';

/** The `kith` bin, as a user runs it. */
const BIN = fileURLToPath(new URL('../../bin/kith.js', import.meta.url));
const WAIT_MS = 30_000;

/**
 * How long a daemon may take to start: a few seconds of CPU to load the engine and libp2p from
 * source, shared by the daemons a test starts at once on a machine that may have 2 busy cores.
 */
const START_MS = 45_000;

export interface RpcReply {
  readonly status: number;
  readonly result?: unknown;
  readonly error?: { code: number; message: string; data?: { kithCode: string } };
}

/** Runs `kith` once (not a daemon) and collects its output; killed if it runs past WAIT_MS. */
export async function runKith(
  args: readonly string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const run = LaunchedProcess.start({
    name: `kith ${args.join(' ')}`,
    args: [BIN, ...args],
  });
  const { code, signal } = await run.ended(WAIT_MS);
  if (signal === 'SIGKILL') throw run.failure(`did not finish within ${WAIT_MS} ms`);
  return { code, stdout: run.stdout, stderr: run.stderr };
}

/**
 * A `kith daemon` process on loopback with its own data directory, driven over its JSON-RPC:
 * what the demo plays with, and what the CLI's tests drive.
 */
export class Daemon {
  readonly name: string;
  readonly dataDir: string;
  readonly #process: LaunchedProcess;
  port = 0;
  token = '';
  #nextId = 1;

  private constructor(name: string, dataDir: string, launched: LaunchedProcess) {
    this.name = name;
    this.dataDir = dataDir;
    this.#process = launched;
  }

  /** Starts a daemon on a new data directory, or on `dataDir` (a restart), with these relays. */
  static async start(
    name: string,
    dataDir?: string,
    relays: readonly string[] = [],
  ): Promise<Daemon> {
    dataDir ??= await mkdtemp(join(tmpdir(), `kith-daemon-${name}-`));
    const launched = await launch(
      {
        name,
        args: [
          BIN,
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
      },
      {
        what: `${name} to serve JSON-RPC`,
        check: (p) => p.stderr.includes('JSON-RPC on'),
        ms: START_MS,
      },
    );
    const daemon = new Daemon(name, dataDir, launched);
    daemon.port = Number((await readFile(join(dataDir, 'rpc-port'), 'utf8')).trim());
    daemon.token = (await readFile(join(dataDir, 'rpc-token'), 'utf8')).trim();
    return daemon;
  }

  /** What the daemon wrote to stderr so far (its log: warnings are `warning: ...` lines). */
  get stderr(): string {
    return this.#process.stderr;
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

  /** Stops it with SIGTERM and waits for the exit (killed if it has not ended in 10 s). */
  async stop(): Promise<void> {
    if (this.#process.exit !== undefined) return;
    await this.#process.stop('SIGTERM');
  }

  async remove(): Promise<void> {
    await this.stop();
    await rm(this.dataDir, { recursive: true, force: true });
  }
}
