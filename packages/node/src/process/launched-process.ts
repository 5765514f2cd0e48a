import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { launchTag, LAUNCH_TAG_VARIABLE, lifelineNodeOptions } from './lifeline.ts';
import { signalGroup, track, untrack } from './registry.ts';

/** How long a wait on a launched process may take unless the caller says otherwise. */
export const DEFAULT_WAIT_MS = 30_000;

/** How long `stop` lets a process end on its own before it kills the process group. */
const STOP_GRACE_MS = 10_000;

/** What `launch` starts: a name for errors, the program and its arguments, its environment. */
export interface LaunchOptions {
  /** Named in every error about the process. */
  readonly name: string;
  /** The program: this Node by default. */
  readonly command?: string;
  readonly args: readonly string[];
  /** Variables set over this process's environment; `undefined` removes one. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** A Node IPC channel (`child.send`, 'message'), with structured clone (bigints, bytes). */
  readonly ipc?: boolean;
  /** The child's stdout: read here (default), or written to this process's stdout. */
  readonly stdout?: 'pipe' | 'inherit';
}

/** How a process ended: its exit code, or the signal that ended it. */
export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A condition on a launched process: `launch` waits for it before it returns. */
export interface Readiness {
  readonly what: string;
  /** Whether the process is ready, re-checked on everything it prints or sends. */
  readonly check: (process: LaunchedProcess) => boolean;
  readonly ms?: number;
}

type Stream = 'stdout' | 'stderr';

/**
 * A process started by `launch`: in its own process group, with a lifeline (see lifeline.ts), its
 * output collected, and waits that re-check a condition on each thing it prints or sends, each
 * bounded. Whatever happens to it or to this process, it does not outlive this process.
 */
export class LaunchedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly #output: Record<Stream, string> = { stdout: '', stderr: '' };
  readonly #lines: Record<Stream, Set<(line: string) => void>> = {
    stdout: new Set(),
    stderr: new Set(),
  };
  readonly #watchers = new Set<() => void>();
  readonly #closed: Promise<Exit>;
  #exit: Exit | undefined;

  private constructor(name: string, child: ChildProcess) {
    this.name = name;
    this.child = child;
    const pid = child.pid;
    if (pid !== undefined) track(pid, name);
    // Never written: the lifeline. An EPIPE after the child ended is of no interest.
    child.stdin?.on('error', () => undefined);
    for (const stream of ['stdout', 'stderr'] as const) {
      const readable = child[stream];
      if (readable === null) continue;
      readable.setEncoding('utf8').on('data', (chunk: string) => {
        this.#output[stream] += chunk;
        this.#notify();
      });
      createInterface({ input: readable }).on('line', (line) => {
        for (const listener of this.#lines[stream]) listener(line);
        this.#notify();
      });
    }
    child.on('message', () => {
      // After every listener of this message: a wait may check what a caller's listener records.
      queueMicrotask(() => {
        this.#notify();
      });
    });
    this.#closed = new Promise((resolve) => {
      child.once('error', (error) => {
        this.#output.stderr += `\n(could not start: ${error.message})`;
        if (pid === undefined) {
          this.#exit = { code: null, signal: null };
          this.#notify();
          resolve(this.#exit);
        }
      });
      child.once('exit', (code, signal) => {
        this.#exit = { code, signal };
        // Whatever it started and left behind has no parent left to end it.
        if (pid !== undefined) signalGroup(pid, 'SIGKILL');
        this.#notify();
      });
      // 'close': every line it printed has been read.
      child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
        if (pid !== undefined) untrack(pid);
        this.#exit ??= { code, signal };
        this.#notify();
        resolve(this.#exit);
      });
    });
  }

  /** Starts a process; see `launch`. */
  static start(options: LaunchOptions): LaunchedProcess {
    const env: Record<string, string | undefined> = { ...process.env, ...options.env };
    env['NODE_OPTIONS'] = lifelineNodeOptions(env['NODE_OPTIONS']);
    env[LAUNCH_TAG_VARIABLE] = launchTag();
    const child = spawn(options.command ?? process.execPath, [...options.args], {
      env: Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)),
      // The lifeline on stdin; `ipc` adds the channel as the fourth descriptor.
      stdio: [
        'pipe',
        options.stdout ?? 'pipe',
        'pipe',
        ...(options.ipc === true ? ['ipc' as const] : []),
      ],
      serialization: 'advanced',
      // Its own process group, so the group can be killed at once (bins that start the real
      // program, programs that start helpers).
      detached: process.platform !== 'win32',
    });
    return new LaunchedProcess(options.name, child);
  }

  /** Its process ID (undefined when it could not be started). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Everything it printed on stdout so far (empty with `stdout: 'inherit'`). */
  get stdout(): string {
    return this.#output.stdout;
  }

  /** Everything it printed on stderr so far. */
  get stderr(): string {
    return this.#output.stderr;
  }

  /** How it exited, once it has (undefined while it runs). */
  get exit(): Exit | undefined {
    return this.#exit;
  }

  /** Resolves once it has exited and everything it printed has been read. */
  closed(): Promise<Exit> {
    return this.#closed;
  }

  /** Calls `listener` with each complete line it prints on `stream`. */
  onLine(stream: Stream, listener: (line: string) => void): void {
    this.#lines[stream].add(listener);
  }

  /**
   * Resolves once `check` holds, re-checked on everything the process prints or sends, and on
   * its exit. Fails after `ms`, or (unless `whileExited`) when it exits first, with the end of
   * its stderr.
   */
  until(
    what: string,
    check: () => boolean,
    options: { ms?: number; whileExited?: boolean } = {},
  ): Promise<void> {
    const ms = options.ms ?? DEFAULT_WAIT_MS;
    return new Promise((resolve, reject) => {
      const finish = (error?: Error): void => {
        clearTimeout(timer);
        this.#watchers.delete(watcher);
        if (error === undefined) resolve();
        else reject(error);
      };
      const timer = setTimeout(() => {
        finish(this.failure(`timed out after ${ms} ms waiting for ${what}`));
      }, ms);
      const watcher = (): void => {
        let ok: boolean;
        try {
          ok = check();
        } catch (error) {
          finish(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        if (ok) finish();
        else if (this.#exit !== undefined && options.whileExited !== true) {
          const how = this.#exit.code ?? this.#exit.signal ?? 'not started';
          finish(this.failure(`exited (${how}) while waiting for ${what}`));
        }
      };
      this.#watchers.add(watcher);
      watcher();
    });
  }

  /**
   * Sends `signal` to the process (the whole group for SIGKILL: a bin's real program would
   * otherwise survive it).
   */
  signal(signal: NodeJS.Signals): void {
    const pid = this.pid;
    if (pid === undefined || this.#exit !== undefined) return;
    if (signal === 'SIGKILL') signalGroup(pid, signal);
    else this.child.kill(signal);
  }

  /** Sends `signal` and waits for the exit; kills the group if it has not ended within `ms`. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', ms = STOP_GRACE_MS): Promise<Exit> {
    this.signal(signal);
    return await this.ended(ms);
  }

  /** Kills the process group (SIGKILL: no shutdown code runs) and waits for the exit. */
  async kill(): Promise<Exit> {
    return await this.stop('SIGKILL');
  }

  /** Waits for the exit; kills the group if it has not ended within `ms`. */
  async ended(ms = STOP_GRACE_MS): Promise<Exit> {
    const pid = this.pid;
    const timer = setTimeout(() => {
      if (pid !== undefined) signalGroup(pid, 'SIGKILL');
    }, ms);
    try {
      return await this.#closed;
    } finally {
      clearTimeout(timer);
    }
  }

  /** An error about this process, with the end of what it wrote on stderr. */
  failure(what: string): Error {
    const stderr = this.#output.stderr.slice(-3000).trim() || '(nothing)';
    return new Error(`${this.name}: ${what}; its stderr:\n${stderr}`);
  }

  #notify(): void {
    for (const watcher of [...this.#watchers]) watcher();
  }
}

/**
 * Starts a process tied to this one's life and, given `ready`, waits until it holds. A start
 * that fails or times out kills the process group before it throws: nothing is left running.
 */
export async function launch(options: LaunchOptions, ready?: Readiness): Promise<LaunchedProcess> {
  const launched = LaunchedProcess.start(options);
  if (ready === undefined) return launched;
  try {
    await launched.until(ready.what, () => ready.check(launched), {
      ...(ready.ms === undefined ? {} : { ms: ready.ms }),
    });
  } catch (error) {
    await launched.kill();
    throw error;
  }
  return launched;
}
