import type { Block } from './markdown.ts';

/** Entries kept before the cache starts again (a few rooms of 10,000 messages). */
const LIMIT = 50_000;

/**
 * Parsed message bodies by their text: the timeline is rebuilt on every engine event (a receipt,
 * someone typing), and parsing 10,000 messages' Markdown again each time costs ~200 ms. Blocks
 * are immutable data, so one parse serves every rebuild and every message with the same text.
 */
export class BlockCache {
  readonly #entries = new Map<string, readonly Block[]>();

  get(
    markdown: boolean,
    text: string,
    parse: (text: string) => readonly Block[],
  ): readonly Block[] {
    const key = `${markdown ? 'm' : 'p'}${text}`;
    const hit = this.#entries.get(key);
    if (hit !== undefined) return hit;
    if (this.#entries.size >= LIMIT) this.#entries.clear();
    const blocks = parse(text);
    this.#entries.set(key, blocks);
    return blocks;
  }
}
