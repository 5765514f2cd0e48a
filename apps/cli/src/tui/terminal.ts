import { writeSync } from 'node:fs';
import { sanitize } from './text.ts';

const ESC = '\x1b';
const ENTER_SCREEN = `${ESC}[?1049h${ESC}[?2004h${ESC}[2J`;
const LEAVE_SCREEN = `${ESC}[?2004l${ESC}[0m${ESC}[?25h${ESC}[?1049l`;

/**
 * The terminal the chat draws on: the alternate screen in raw mode while it runs, put back as it
 * was when it stops, including when the process is ended by a signal or an error. Frames are
 * drawn by rewriting only the rows that changed.
 */
export class Screen {
  readonly #input: NodeJS.ReadStream;
  readonly #output: NodeJS.WriteStream;
  #shown: string[] = [];
  #active = false;
  #started = false;
  readonly #restoreOnExit = (): void => {
    this.#restoreSync();
  };

  readonly #fd: number;

  constructor(input: NodeJS.ReadStream, output: NodeJS.WriteStream) {
    this.#input = input;
    this.#output = output;
    // A TTY stream's descriptor (not in Node's types): restoring on exit writes to it directly.
    const fd = (output as { fd?: unknown }).fd;
    this.#fd = typeof fd === 'number' ? fd : 1;
  }

  get columns(): number {
    return this.#output.columns || 80;
  }

  get rows(): number {
    return this.#output.rows || 24;
  }

  /** Takes over the terminal: alternate screen, raw keys, bracketed paste. */
  start(onData: (data: string) => void, onResize: () => void): void {
    if (this.#input.isTTY) this.#input.setRawMode(true);
    this.#input.setEncoding('utf8');
    this.#input.on('data', onData);
    this.#input.resume();
    this.#output.on('resize', onResize);
    process.on('exit', this.#restoreOnExit);
    this.#started = true;
    this.#enter();
  }

  /** Gives the terminal back as it was. Safe to call more than once. */
  stop(): void {
    process.off('exit', this.#restoreOnExit);
    this.#output.removeAllListeners('resize');
    this.#input.removeAllListeners('data');
    this.#input.pause();
    this.#restoreSync();
  }

  /** Draws a frame: `lines` (one per row) and the cursor at [row, col], both 0-based. */
  draw(lines: readonly string[], cursor: readonly [number, number]): void {
    if (!this.#active) return;
    let out = `${ESC}[?25l`;
    for (const [i, line] of lines.entries()) {
      if (this.#shown[i] === line) continue;
      out += `${ESC}[${i + 1};1H${ESC}[2K${line}`;
    }
    out += `${ESC}[${cursor[0] + 1};${cursor[1] + 1}H${ESC}[?25h`;
    this.#shown = [...lines];
    this.#output.write(out);
  }

  /** Rings the terminal's bell (while the chat is on screen). */
  bell(): void {
    if (this.#active) this.#output.write('\x07');
  }

  /**
   * Asks the terminal for a desktop notification (OSC 777, which VTE terminals, kitty, foot,
   * WezTerm and others show; the rest ignore it). Title and body come without control characters.
   */
  terminalNotification(title: string, body: string): void {
    if (!this.#active) return;
    this.#output.write(
      `\x1b]777;notify;${sanitize(title).replace(/;/g, ',')};${sanitize(body)}\x1b\\`,
    );
  }

  /** Forgets what is on screen, so the next frame is drawn whole (after a resize, Ctrl-L). */
  invalidate(): void {
    this.#shown = [];
    if (this.#active) this.#output.write(`${ESC}[2J`);
  }

  /**
   * Shows `text` on the normal screen, where the terminal wraps it itself: a long line (a contact
   * link) is then selected and copied as one line, and it stays in the scrollback after the
   * chat ends. `returnToChat` goes back to the alternate screen.
   */
  showOnMainScreen(text: string): void {
    if (!this.#active) return;
    this.#output.write(`${ESC}[?2004l${ESC}[?1049l\r\n${text.replace(/\r?\n/g, '\r\n')}\r\n`);
    this.#active = false;
  }

  returnToChat(): void {
    if (this.#active) return;
    this.#enter();
  }

  #enter(): void {
    this.#output.write(ENTER_SCREEN);
    this.#shown = [];
    this.#active = true;
  }

  /** Synchronous, so it also runs from an 'exit' handler. */
  #restoreSync(): void {
    if (!this.#started) return;
    this.#started = false;
    this.#active = false;
    if (this.#input.isTTY) this.#input.setRawMode(false);
    this.#shown = [];
    try {
      writeSync(this.#fd, LEAVE_SCREEN);
    } catch {
      // The terminal is gone (hung up): nothing left to restore.
    }
  }
}
