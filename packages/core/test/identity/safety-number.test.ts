import { describe, expect, it } from 'vitest';
import { safetyNumber } from '../../src/identity/safety-number.ts';
import { keyPair, thrown } from './helpers.ts';

const a = keyPair(1).publicKey;
const b = keyPair(2).publicKey;
const c = keyPair(3).publicKey;

describe('safety numbers', () => {
  it('are 60 digits in 12 groups of 5', () => {
    expect(safetyNumber(a, b)).toMatch(/^\d{5}( \d{5}){11}$/);
  });

  it('are pinned for two known keys', () => {
    // Computed once, and checked independently in Python (hashlib).
    expect(safetyNumber(a, b)).toBe(
      '00725 58027 88725 17348 06082 55218 91390 52655 58714 85090 23739 97192',
    );
  });

  it('are the same whichever user computes them', () => {
    expect(safetyNumber(a, b)).toBe(safetyNumber(b, a));
  });

  it('consist of each user’s fingerprint, so one side is shared with a third user', () => {
    const ab = safetyNumber(a, b).replaceAll(' ', '');
    const ac = safetyNumber(a, c).replaceAll(' ', '');
    const bc = safetyNumber(b, c).replaceAll(' ', '');
    expect(new Set([ab, ac, bc]).size).toBe(3);
    const halves = (n: string) => [n.slice(0, 30), n.slice(30)];
    const common = halves(ab).filter((h) => halves(ac).includes(h));
    expect(common).toHaveLength(1);
    // Sorted, so the lower fingerprint comes first.
    for (const n of [ab, ac, bc]) {
      const [first = '', second = ''] = halves(n);
      expect(first <= second).toBe(true);
    }
  });

  it('differ when any bit of a key differs', () => {
    const flipped = a.slice();
    flipped[31] = (flipped[31] ?? 0) ^ 1;
    expect(safetyNumber(flipped, b)).not.toBe(safetyNumber(a, b));
  });

  it('refuse keys that are not 32 bytes', () => {
    expect(thrown(() => safetyNumber(a, new Uint8Array(31)))).toMatchObject({
      name: 'IdentityError',
      code: 'IDENTITY_INVALID_KEY',
    });
  });
});
