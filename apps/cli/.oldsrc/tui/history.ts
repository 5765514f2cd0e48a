import type { Composer } from './editor.ts';

/** Lines sent before, for Up and Down to walk through as in a shell. */
export class InputHistory {
  readonly #lines: string[] = [];
  /** Index of the line shown, or -1 when the composer holds the person's own draft. */
  #at = -1;
  #draft: Composer = { text: '', cursor: 0 };

  add(line: string): void {
    if (this.#lines.at(-1) !== line) this.#lines.push(line);
    // A long session keeps the recent ones.
    if (this.#lines.length > 200) this.#lines.shift();
    this.#at = -1;
  }

  /** The composer after one step back (-1) or forward (1) from `current`. */
  step(current: Composer, by: -1 | 1): Composer {
    if (this.#lines.length === 0) return current;
    if (this.#at === -1) {
      if (by > 0) return current;
      this.#draft = current;
      this.#at = this.#lines.length;
    }
    const at = this.#at + by;
    if (at >= this.#lines.length) {
      this.#at = -1;
      return this.#draft;
    }
    this.#at = Math.max(0, at);
    const text = this.#lines[this.#at] ?? '';
    return { text, cursor: text.length };
  }
}
