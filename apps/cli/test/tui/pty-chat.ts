import { spawn, type IPty } from '@lydell/node-pty';
import xterm from '@xterm/headless';
import { fileURLToPath } from 'node:url';
import { LAUNCH_TAG_VARIABLE, launchTag } from '@kith/node/process';
import type { KithApp } from '../../src/app/kith-app.ts';

/** The `kith` bin, as a user runs it. */
const BIN = fileURLToPath(new URL('../../bin/kith.js', import.meta.url));
const WAIT_MS = 30_000;

export interface ChatProcess {
  /** Arguments after `kith` (data dir, flags). */
  readonly args: readonly string[];
  /**
   * Run through `sh`, which after the chat ends prints its exit code and `stty -a`: how the
   * chat left the terminal (canonical mode, echo) shows on the screen.
   */
  readonly reportTerminal?: boolean;
  readonly cols?: number;
  readonly rows?: number;
  /** Variables set for the chat, over this process's own (less any display: see `start`). */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * `kith` in a real pseudo-terminal, its output fed to a headless xterm that keeps the screen.
 * Waits re-check the screen whenever output has been parsed, within a bounded time.
 */
export class PtyChat {
  readonly term: xterm.Terminal;
  readonly #pty: IPty;
  readonly #checks = new Set<() => void>();
  exitCode: number | undefined;
  /** Times the chat rang the terminal's bell. */
  bells = 0;
  /** Desktop notifications the chat asked for (OSC 777 payloads: `notify;TITLE;BODY`). */
  readonly notifications: string[] = [];

  private constructor(term: xterm.Terminal, pty: IPty) {
    this.term = term;
    this.#pty = pty;
    term.onBell(() => {
      this.bells++;
    });
    term.parser.registerOscHandler(777, (data) => {
      this.notifications.push(data);
      return true;
    });
    pty.onData((data) => {
      term.write(data, () => {
        this.#recheck();
      });
    });
    pty.onExit(({ exitCode }) => {
      // What it printed last may still be in the parser: count it as ended once that is through.
      term.write('', () => {
        this.exitCode = exitCode;
        this.#recheck();
      });
    });
  }

  static start(options: ChatProcess): PtyChat {
    const cols = options.cols ?? 100;
    const rows = options.rows ?? 30;
    const node = [process.execPath, BIN, ...options.args];
    const [file, args] =
      options.reportTerminal === true
        ? ['/bin/sh', ['-c', '"$0" "$@"; echo "kith exited $?"; stty -a', ...node]]
        : [node[0] ?? '', node.slice(1)];
    // A pty's process ends on SIGHUP when this process (the pty's master) goes; the tag lets the
    // run's leftover check find it all the same.
    // No graphical session unless a test gives one: notifications go through the terminal.
    const display = new Set(['DISPLAY', 'WAYLAND_DISPLAY', 'KITH_NOTIFY']);
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !display.has(name)),
    );
    const env = {
      ...inherited,
      TERM: 'xterm-256color',
      LANG: 'C.UTF-8',
      [LAUNCH_TAG_VARIABLE]: launchTag(),
      ...options.env,
    };
    const pty = spawn(file, args, { name: 'xterm-256color', cols, rows, env });
    return new PtyChat(new xterm.Terminal({ cols, rows, allowProposedApi: true }), pty);
  }

  /** The rows on screen now (the alternate screen while the chat runs). */
  rows(): string[] {
    const buffer = this.term.buffer.active;
    const out: string[] = [];
    for (let i = 0; i < this.term.rows; i++) {
      out.push(buffer.getLine(buffer.viewportY + i)?.translateToString(true) ?? '');
    }
    return out;
  }

  screen(): string {
    return this.rows().join('\n');
  }

  get onAlternateScreen(): boolean {
    return this.term.buffer.active.type === 'alternate';
  }

  /** Everything on the normal screen and its scrollback, lines the terminal wrapped joined again. */
  normalText(): string {
    const buffer = this.term.buffer.normal;
    let out = '';
    for (let i = 0; i < buffer.length; i++) {
      const line = buffer.getLine(i);
      if (line === undefined) continue;
      out += (line.isWrapped ? '' : '\n') + line.translateToString(true);
    }
    return out;
  }

  type(text: string): void {
    this.#pty.write(text);
  }

  kill(signal: string): void {
    this.#pty.kill(signal);
  }

  /** Resolves once `check` holds, re-checked on each output; fails with the screen after `ms`. */
  waitFor(what: string, check: () => boolean, ms = WAIT_MS): Promise<void> {
    return new Promise((resolve, reject) => {
      const test = (): void => {
        if (check()) {
          finish();
          resolve();
        } else if (this.exitCode !== undefined) {
          finish();
          reject(this.#failure(what, `kith exited (${this.exitCode})`));
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(this.#failure(what, `not within ${ms} ms`));
      }, ms);
      const finish = (): void => {
        clearTimeout(timer);
        this.#checks.delete(test);
      };
      this.#checks.add(test);
      test();
    });
  }

  /** Waits for `text` on screen. */
  waitForText(text: string | RegExp, ms = WAIT_MS): Promise<void> {
    return this.waitFor(
      `"${String(text)}" on screen`,
      () => (typeof text === 'string' ? this.screen().includes(text) : text.test(this.screen())),
      ms,
    );
  }

  waitForExit(ms = WAIT_MS): Promise<number> {
    return this.waitFor('kith to exit', () => this.exitCode !== undefined, ms).then(
      () => this.exitCode ?? -1,
    );
  }

  /** Ends the process if a test left it running. */
  dispose(): void {
    if (this.exitCode === undefined) this.#pty.kill('SIGKILL');
    this.term.dispose();
  }

  #recheck(): void {
    for (const check of [...this.#checks]) check();
  }

  #failure(what: string, why: string): Error {
    return new Error(`waiting for ${what}: ${why}. The screen:\n${this.screen()}`);
  }
}

/** Resolves once `check` holds for an app in this process, re-checked on each of its changes. */
export function until(
  app: KithApp,
  what: string,
  check: () => boolean,
  ms = WAIT_MS,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const test = (): void => {
      if (!check()) return;
      finish();
      resolve();
    };
    const off = app.onChange(test);
    const timer = setTimeout(() => {
      finish();
      reject(new Error(`timed out waiting for ${what}`));
    }, ms);
    const finish = (): void => {
      off();
      clearTimeout(timer);
    };
    test();
  });
}
