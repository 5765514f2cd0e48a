/**
 * Where randomness comes from. Runtimes pass `webRandom` (the platform CSPRNG); the simulator
 * passes a seeded generator so a failing seed replays exactly.
 */
export interface RandomPort {
  /** `n` fresh random bytes. */
  bytes(n: number): Uint8Array;
}

interface CryptoLike {
  getRandomValues<T extends ArrayBufferView>(array: T): T;
}

/** The platform's cryptographically secure generator (WebCrypto, present in Node 20+ and browsers). */
export const webRandom: RandomPort = {
  bytes(n) {
    const out = new Uint8Array(n);
    const c = (globalThis as { crypto?: CryptoLike }).crypto;
    if (c === undefined) throw new Error('no WebCrypto getRandomValues on this platform');
    // getRandomValues fills at most 65536 bytes per call.
    for (let i = 0; i < n; i += 65536) c.getRandomValues(out.subarray(i, Math.min(n, i + 65536)));
    return out;
  },
};
