import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../src/testing/seeded-random.ts';

function draws(random: SeededRandom, n: number): number[] {
  return Array.from({ length: n }, () => random.nextUint32());
}

describe('SeededRandom', () => {
  it('matches the reference xoshiro128** output', () => {
    // From the authors' C code (xoshiro128starstar.c) with s = {1, 2, 3, 4}.
    const random = SeededRandom.fromState([1, 2, 3, 4]);
    expect(draws(random, 8)).toEqual([
      11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849,
    ]);
    const other = SeededRandom.fromState([0x9e3779b9, 0x243f6a88, 0xb7e15162, 0xdeadbeef]);
    draws(other, 1000);
    expect(draws(other, 4)).toEqual([2541037969, 1849389561, 1502624387, 2643130287]);
  });

  it('replays the same sequence for the same seed, and another for another seed', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (seed) => {
        expect(draws(new SeededRandom(seed), 5)).toEqual(draws(new SeededRandom(seed), 5));
      }),
    );
    const firsts = new Set(
      [0, 1, 2, -1, 2 ** 32, 2 ** 32 + 1, Number.MAX_SAFE_INTEGER].map((s) =>
        draws(new SeededRandom(s), 2).join(),
      ),
    );
    expect(firsts.size).toBe(7);
    expect(() => new SeededRandom(1.5)).toThrow(RangeError);
    expect(() => SeededRandom.fromState([0, 0, 0, 0])).toThrow(RangeError);
  });

  it('draws floats in [0, 1) and integers in range, spread evenly', () => {
    const random = new SeededRandom(42);
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 10_000; i++) {
      const f = random.float();
      expect(f >= 0 && f < 1).toBe(true);
      const k = random.int(10);
      expect(Number.isInteger(k) && k >= 0 && k < 10).toBe(true);
      counts[k] = (counts[k] ?? 0) + 1;
    }
    // Chi-square with 9 degrees of freedom; 27.9 is the 0.1% critical value.
    const chi = counts.reduce((sum, c) => sum + (c - 1000) ** 2 / 1000, 0);
    expect(chi).toBeLessThan(27.9);
    expect(random.intBetween(5, 5)).toBe(5);
    expect(() => random.int(0)).toThrow(RangeError);
    expect(() => random.intBetween(2, 1)).toThrow(RangeError);
  });

  it('picks, shuffles into a permutation, and draws chances', () => {
    const random = new SeededRandom(7);
    const items = Array.from({ length: 50 }, (_, i) => i);
    const shuffled = random.shuffle([...items]);
    expect(shuffled).not.toEqual(items);
    expect([...shuffled].sort((a, b) => a - b)).toEqual(items);
    expect(items).toContain(random.pick(items));
    expect(() => random.pick([])).toThrow(RangeError);
    expect(random.chance(0)).toBe(false);
    expect(random.chance(1)).toBe(true);
  });

  it('gives bytes of any length, as the RandomPort', () => {
    for (const n of [0, 1, 3, 4, 5, 33]) {
      const bytes = new SeededRandom(9).bytes(n);
      expect(bytes).toHaveLength(n);
      expect(new SeededRandom(9).bytes(n)).toEqual(bytes);
    }
    // Bytes come little-endian from successive words.
    const word = new SeededRandom(9).nextUint32();
    expect([...new SeededRandom(9).bytes(4)]).toEqual(
      [0, 8, 16, 24].map((s) => (word >>> s) & 255),
    );
  });

  it('forks independent streams deterministically', () => {
    const a = new SeededRandom(3);
    const b = new SeededRandom(3);
    const forkA = a.fork();
    const forkB = b.fork();
    expect(draws(forkA, 4)).toEqual(draws(forkB, 4));
    expect(draws(a, 4)).toEqual(draws(b, 4));
    expect(draws(new SeededRandom(3).fork(), 4)).not.toEqual(draws(new SeededRandom(3), 4));
  });
});
