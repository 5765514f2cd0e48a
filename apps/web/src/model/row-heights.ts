/**
 * Where each row of a long list sits, for rendering only the rows in view: measured heights
 * where rows have been drawn, an estimate elsewhere. Offsets are prefix sums, rebuilt only when
 * the keys or a height change; finding the rows in a window is a binary search.
 */
export class RowHeights {
  readonly #estimate: number;
  readonly #measured = new Map<string, number>();
  #keys: readonly string[] = [];
  #index = new Map<string, number>();
  /** tops[i] is row i's top; tops[n] the total height. */
  #tops = new Float64Array(1);
  #stale = true;

  constructor(estimate: number) {
    this.#estimate = estimate;
  }

  /** The rows, in order (the same array again costs nothing). */
  setKeys(keys: readonly string[]): void {
    if (keys === this.#keys) return;
    this.#keys = keys;
    this.#index = new Map(keys.map((k, i) => [k, i]));
    this.#stale = true;
  }

  /** Records a drawn row's height; true when it differs from what was assumed. */
  measure(key: string, height: number): boolean {
    if (this.#measured.get(key) === height) return false;
    this.#measured.set(key, height);
    this.#stale = true;
    return true;
  }

  get total(): number {
    return this.#offsets()[this.#keys.length] ?? 0;
  }

  indexOf(key: string): number | undefined {
    return this.#index.get(key);
  }

  /** The top of row `index`. */
  top(index: number): number {
    return this.#offsets()[Math.max(0, Math.min(index, this.#keys.length))] ?? 0;
  }

  /** The first row whose bottom is below `y` (the row at `y`). */
  rowAt(y: number): number {
    const tops = this.#offsets();
    let lo = 0;
    let hi = this.#keys.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((tops[mid + 1] ?? 0) <= y) lo = mid + 1;
      else hi = mid;
    }
    return Math.max(0, lo);
  }

  /** Rows [first, last) that meet the window [from, to). */
  range(from: number, to: number): { first: number; last: number } {
    if (this.#keys.length === 0) return { first: 0, last: 0 };
    const first = this.rowAt(from);
    const last = Math.min(this.#keys.length, this.rowAt(Math.max(from, to - 1)) + 1);
    return { first, last };
  }

  #offsets(): Float64Array {
    if (!this.#stale) return this.#tops;
    const n = this.#keys.length;
    const tops = new Float64Array(n + 1);
    for (let i = 0; i < n; i++) {
      tops[i + 1] = (tops[i] ?? 0) + (this.#measured.get(this.#keys[i] ?? '') ?? this.#estimate);
    }
    this.#tops = tops;
    this.#stale = false;
    return tops;
  }
}
