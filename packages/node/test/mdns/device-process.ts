import { fileURLToPath } from 'node:url';
import { LaunchedProcess } from '../../src/process/index.ts';

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
  readonly #process: LaunchedProcess;
  readonly #waiters = new Set<Waiter>();
  readonly #unparsed: string[] = [];
  #exit: string | undefined;

  constructor(name: string, namespace: string, dataDir: string, listen: string) {
    this.name = name;
    // `ip netns exec` keeps the environment: the device gets the launcher's lifeline too.
    this.#process = LaunchedProcess.start({
      name,
      command: 'ip',
      args: [
        'netns',
        'exec',
        namespace,
        process.execPath,
        '--conditions=@kith/source',
        FIXTURE,
        dataDir,
        listen,
      ],
    });
    this.#process.onLine('stdout', (line) => {
      this.#onLine(line);
    });
    void this.#process.closed().then(({ code, signal }) => {
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
    return (await this.#process.stop('SIGTERM', ms)).code;
  }

  /** What the device said so far, for failure messages. */
  describe(): string {
    const stdout = this.reports.map((r) => JSON.stringify(r)).join('\n  ') || '(nothing)';
    const stderr = this.#process.stderr.slice(-4000) || '(nothing)';
    const unparsed = this.#unparsed.map((l) => `\n(unparsed stdout) ${l}`).join('');
    const exit = this.#exit ?? 'still running';
    return `${this.name} (${exit}) printed:\n  ${stdout}\nstderr:\n${stderr}${unparsed}`;
  }

  #onLine(line: string): void {
    let report: Report;
    try {
      report = JSON.parse(line) as Report;
    } catch {
      this.#unparsed.push(line);
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
