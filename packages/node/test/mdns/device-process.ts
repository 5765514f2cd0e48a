import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const FIXTURE = fileURLToPath(new URL('../fixtures/mdns-device.ts', import.meta.url));

/** One line the fixture printed, such as `{"ready": id}` or `{"connected": id}`. */
export type Report = Readonly<
  Partial<Record<'ready' | 'discovered' | 'connected' | 'disconnected', string>>
>;

interface Waiter {
  readonly what: string;
  readonly accept: (report: Report) => boolean;
  readonly resolve: (report: Report) => void;
  readonly reject: (error: Error) => void;
}

/**
 * The mDNS fixture device running in a network namespace, its reports collected as they come.
 * `ip netns exec` execs the command in place, so the child is the device's own Node process.
 */
export class DeviceProcess {
  readonly name: string;
  readonly reports: Report[] = [];
  readonly #child: ChildProcess;
  readonly #waiters = new Set<Waiter>();
  #stderr = '';
  #exit: string | undefined;

  constructor(name: string, namespace: string, dataDir: string, listen: string) {
    this.name = name;
    this.#child = spawn(
      'ip',
      [
        'netns',
        'exec',
        namespace,
        process.execPath,
        '--conditions=@kith/source',
        FIXTURE,
        dataDir,
        listen,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.#child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-4000);
    });
    if (this.#child.stdout !== null) {
      createInterface({ input: this.#child.stdout }).on('line', (line) => {
        this.#onLine(line);
      });
    }
    this.#child.on('error', (error) => {
      this.#ended(`could not start: ${error.message}`);
    });
    // 'close', not 'exit': by then every line it printed has been read.
    this.#child.on('close', (code, signal) => {
      this.#ended(`exited (code ${String(code)}, signal ${String(signal)})`);
    });
  }

  /**
   * The first report that `accept` takes, within `ms`: among those already printed from index
   * `since` on, or else the next ones.
   */
  waitFor(
    what: string,
    accept: (report: Report) => boolean,
    ms: number,
    since = 0,
  ): Promise<Report> {
    const seen = this.reports.slice(since).find(accept);
    if (seen !== undefined) return Promise.resolve(seen);
    if (this.#exit !== undefined) return Promise.reject(this.#failure(what, this.#exit));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(this.#failure(what, `nothing within ${ms} ms`));
      }, ms);
      const waiter: Waiter = {
        what,
        accept,
        resolve: (report) => {
          clearTimeout(timer);
          resolve(report);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.#waiters.add(waiter);
    });
  }

  /** Asks the device to close (SIGTERM), SIGKILL after `ms`; resolves to its exit code. */
  async stop(ms = 10_000): Promise<number | null> {
    const child = this.#child;
    if (this.#exit !== undefined || child.exitCode !== null || child.signalCode !== null) {
      return child.exitCode;
    }
    const exited = once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    try {
      const [code] = await exited;
      return code;
    } finally {
      clearTimeout(timer);
    }
  }

  /** What the device said so far, for failure messages. */
  describe(): string {
    const stdout = this.reports.map((r) => JSON.stringify(r)).join('\n  ') || '(nothing)';
    const stderr = this.#stderr || '(nothing)';
    return `${this.name} printed:\n  ${stdout}\nstderr:\n${stderr}`;
  }

  #onLine(line: string): void {
    let report: Report;
    try {
      report = JSON.parse(line) as Report;
    } catch {
      this.#stderr += `\n(unparsed stdout) ${line}`;
      return;
    }
    this.reports.push(report);
    for (const waiter of this.#waiters) {
      if (!waiter.accept(report)) continue;
      this.#waiters.delete(waiter);
      waiter.resolve(report);
    }
  }

  #ended(how: string): void {
    this.#exit ??= how;
    for (const waiter of this.#waiters) waiter.reject(this.#failure(waiter.what, how));
    this.#waiters.clear();
  }

  #failure(what: string, why: string): Error {
    return new Error(`${this.name} did not report ${what}: ${why}`);
  }
}
