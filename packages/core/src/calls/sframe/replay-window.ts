/**
 * Counters already accepted under one key (RFC 9605 §9.4, after RFC 3711 §3.3.2): the highest
 * one and a bitmap of the `size` below it. A counter seen before, or too far behind to tell,
 * is a replay. Frames may arrive out of order within the window.
 */
export class ReplayWindow {
  readonly #size: bigint;
  #top = -1n;
  /** Bit i set: counter `top - i` was accepted. */
  #seen = 0n;

  constructor(size = 128) {
    this.#size = BigInt(size);
  }

  /** Whether `ctr` may be accepted; nothing changes until `accept` (after the tag holds). */
  fresh(ctr: bigint): boolean {
    if (ctr > this.#top) return true;
    const behind = this.#top - ctr;
    if (behind >= this.#size) return false;
    return ((this.#seen >> behind) & 1n) === 0n;
  }

  accept(ctr: bigint): void {
    if (ctr > this.#top) {
      const shift = ctr - this.#top;
      this.#seen = shift >= this.#size ? 1n : ((this.#seen << shift) | 1n) & this.#mask();
      this.#top = ctr;
    } else {
      this.#seen |= 1n << (this.#top - ctr);
    }
  }

  #mask(): bigint {
    return (1n << this.#size) - 1n;
  }
}
