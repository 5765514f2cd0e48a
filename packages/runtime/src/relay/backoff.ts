/**
 * Waits between attempts to reach something that is away: doubling from `firstMs` up to
 * `maxMs`, each wait drawn between half and all of its step (jitter), so devices that lost the
 * same relay at the same moment do not all come back at the same moment.
 */
export class Backoff {
  readonly #firstMs: number;
  readonly #maxMs: number;
  readonly #random: () => number;
  #step = 0;

  constructor(options: { firstMs: number; maxMs: number; random?: () => number }) {
    this.#firstMs = options.firstMs;
    this.#maxMs = Math.max(options.firstMs, options.maxMs);
    this.#random = options.random ?? Math.random;
  }

  /** The wait before the next attempt, counting one more failure. Never above `maxMs`. */
  next(): number {
    const step = Math.min(this.#maxMs, this.#firstMs * 2 ** Math.min(this.#step, 30));
    this.#step++;
    const r = Math.min(1, Math.max(0, this.#random()));
    return Math.ceil(step / 2 + (r * step) / 2);
  }

  /** A success: the next wait is the first again. */
  reset(): void {
    this.#step = 0;
  }
}
