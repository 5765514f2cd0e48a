/**
 * A token bucket per key (a peer), plus one shared by all keys: what a device hands to
 * strangers on request (key packages) must not be drained by one of them, nor by many.
 */
export class RequestBudget {
  readonly #perKey = new Map<string, { tokens: number; at: number }>();
  readonly #total: { tokens: number; at: number };
  readonly #perKeyPerMinute: number;
  readonly #totalPerMinute: number;
  readonly #now: () => number;

  constructor(perKeyPerMinute: number, totalPerMinute: number, now: () => number = Date.now) {
    this.#perKeyPerMinute = perKeyPerMinute;
    this.#totalPerMinute = totalPerMinute;
    this.#now = now;
    this.#total = { tokens: totalPerMinute, at: now() };
  }

  /**
   * Takes `cost` (default one request) from `key`'s budget and the shared one; false, taking
   * nothing, when either has less.
   */
  take(key: string, cost = 1): boolean {
    const now = this.#now();
    const own = this.#perKey.get(key) ?? { tokens: this.#perKeyPerMinute, at: now };
    refill(own, this.#perKeyPerMinute, now);
    refill(this.#total, this.#totalPerMinute, now);
    if (own.tokens < cost || this.#total.tokens < cost) return false;
    own.tokens -= cost;
    this.#total.tokens -= cost;
    this.#perKey.set(key, own);
    // Forget full buckets so the map does not grow with every peer ever seen.
    if (this.#perKey.size > 10_000) {
      for (const [k, b] of this.#perKey)
        if (b.tokens >= this.#perKeyPerMinute - 1) this.#perKey.delete(k);
    }
    return true;
  }
}

function refill(bucket: { tokens: number; at: number }, perMinute: number, now: number): void {
  const elapsed = Math.max(0, now - bucket.at);
  bucket.tokens = Math.min(perMinute, bucket.tokens + (elapsed * perMinute) / 60_000);
  bucket.at = now;
}
