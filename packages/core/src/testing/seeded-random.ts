import type { RandomPort } from '../ports/random.ts';

/**
 * A seeded pseudo-random generator for tests and the simulator: the same seed gives the same
 * sequence on every platform, so a failing run replays exactly. It is xoshiro128** 1.1
 * (Blackman and Vigna), seeded through SplitMix32. Not cryptographically secure: never give
 * it to a runtime.
 */
export class SeededRandom implements RandomPort {
  #s0: number;
  #s1: number;
  #s2: number;
  #s3: number;

  /** `seed`: any safe integer. */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`seed ${seed} is not a safe integer`);
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 2 ** 32) >>> 0;
    // The first two words are bijections of the seed's low and high halves, so distinct seeds
    // give distinct states; the other two mix both halves.
    const s0 = splitMix32((lo + 0x9e3779b9) >>> 0);
    const s1 = splitMix32((hi + 0x3c6ef372) >>> 0);
    const s2 = splitMix32(((lo ^ s1) + 0xdaa66d2b) >>> 0);
    const s3 = splitMix32(((hi ^ s0) + 0x78dde6e4) >>> 0);
    this.#s0 = s0;
    this.#s1 = s1;
    this.#s2 = s2;
    this.#s3 = s0 === 0 && s1 === 0 && s2 === 0 && s3 === 0 ? 1 : s3;
  }

  /** A generator in exactly this state (four 32-bit words, not all zero). */
  static fromState(state: readonly [number, number, number, number]): SeededRandom {
    if (state.every((w) => w >>> 0 === 0))
      throw new RangeError('xoshiro state must not be all zero');
    const random = new SeededRandom(0);
    [random.#s0, random.#s1, random.#s2, random.#s3] = state.map((w) => w >>> 0) as [
      number,
      number,
      number,
      number,
    ];
    return random;
  }

  /** The next 32-bit unsigned integer. */
  nextUint32(): number {
    const s1 = this.#s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.#s2 ^= this.#s0;
    this.#s3 ^= s1;
    this.#s1 ^= this.#s2;
    this.#s0 ^= this.#s3;
    this.#s2 ^= t;
    this.#s3 = rotl(this.#s3, 11);
    return result;
  }

  /** A float in [0, 1) with 53 random bits. */
  float(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 2 ** 26 + low) / 2 ** 53;
  }

  /**
   * An integer in [0, n). Scaling a 53-bit float (no rejection loop) is biased by less than
   * n / 2^53: nothing a test can see for the n a test uses.
   */
  int(n: number): number {
    if (!Number.isSafeInteger(n) || n <= 0)
      throw new RangeError(`int(${n}): n must be a positive safe integer`);
    return Math.floor(this.float() * n);
  }

  /** An integer in [min, max], both included. */
  intBetween(min: number, max: number): number {
    if (max < min) throw new RangeError(`intBetween(${min}, ${max}): empty range`);
    return min + this.int(max - min + 1);
  }

  /** True with probability `p` (one draw, whatever `p` is, so the stream does not depend on it). */
  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty array');
    return items[this.int(items.length)] as T;
  }

  /** Shuffles `items` in place (Fisher-Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j] as T, items[i] as T];
    }
    return items;
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 4) {
      const word = this.nextUint32();
      for (let k = 0; k < 4 && i + k < n; k++) out[i + k] = (word >>> (8 * k)) & 255;
    }
    return out;
  }

  /**
   * An independent generator seeded from this one: give each simulated device its own
   * stream, so adding draws on one device does not shift every other device's.
   */
  fork(): SeededRandom {
    const words = [
      this.nextUint32(),
      this.nextUint32(),
      this.nextUint32(),
      this.nextUint32(),
    ] as const;
    return words.every((w) => w === 0) ? new SeededRandom(1) : SeededRandom.fromState(words);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** SplitMix32's output function (a bijection on 32-bit words). */
function splitMix32(x: number): number {
  let z = x;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}
