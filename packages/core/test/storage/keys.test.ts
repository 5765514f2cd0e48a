import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  joinKey,
  keyPrefix,
  parseSeqKey,
  parseSeqKeyNumber,
  prefixRange,
  seqKey,
  splitKey,
} from '../../src/storage/keys.ts';

const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });

function code(f: () => unknown): unknown {
  try {
    f();
  } catch (error) {
    return (error as { code?: unknown }).code;
  }
  return 'no error';
}

describe('seqKey', () => {
  it('orders as text exactly as the numbers order', () => {
    fc.assert(
      fc.property(u64, u64, (a, b) => {
        const byText = seqKey(a) < seqKey(b) ? -1 : seqKey(a) > seqKey(b) ? 1 : 0;
        expect(byText).toBe(a < b ? -1 : a > b ? 1 : 0);
      }),
    );
  });

  it('round-trips numbers and bigints, 16 hex digits wide', () => {
    fc.assert(
      fc.property(u64, (n) => {
        expect(seqKey(n)).toMatch(/^[0-9a-f]{16}$/);
        expect(parseSeqKey(seqKey(n))).toBe(n);
      }),
    );
    expect(seqKey(255)).toBe('00000000000000ff');
    expect(seqKey(255)).toBe(seqKey(255n));
    expect(parseSeqKeyNumber(seqKey(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('refuses what is not an unsigned 64-bit integer', () => {
    for (const bad of [-1, 1.5, Number.NaN, Infinity, 2 ** 53, -1n, 2n ** 64n]) {
      expect(
        code(() => seqKey(bad)),
        String(bad),
      ).toBe('STORAGE_INVALID');
    }
  });

  it('reports malformed stored numbers as corruption', () => {
    for (const bad of ['', 'ff', '00000000000000FF', '000000000000000g', '0'.repeat(17)]) {
      expect(
        code(() => parseSeqKey(bad)),
        bad,
      ).toBe('STORAGE_CORRUPT');
    }
    expect(code(() => parseSeqKeyNumber(seqKey(2n ** 53n)))).toBe('STORAGE_CORRUPT');
  });
});

describe('joinKey', () => {
  it('joins text and number segments with /', () => {
    expect(joinKey('room', 'ab12', 'state', 7n)).toBe('room/ab12/state/0000000000000007');
    expect(keyPrefix('room', 'ab12')).toBe('room/ab12/');
    expect(splitKey(joinKey('outbox', 'r', 3))).toEqual(['outbox', 'r', '0000000000000003']);
  });

  it('refuses segments that could break the layout', () => {
    for (const bad of ['', 'a/b', 'a b', 'é', '\n', 'a\u0000']) {
      expect(
        code(() => joinKey('room', bad)),
        JSON.stringify(bad),
      ).toBe('STORAGE_INVALID');
    }
    expect(code(() => joinKey())).toBe('STORAGE_INVALID');
  });
});

describe('prefixRange', () => {
  it('holds exactly the keys that start with the prefix', () => {
    const ascii = fc.string({ unit: fc.constantFrom('a', 'b', '/', '0', '~', '!'), maxLength: 6 });
    fc.assert(
      fc.property(ascii, ascii, (prefix, key) => {
        const range = prefixRange(prefix);
        const inside = key >= range.gte && (range.lt === undefined || key < range.lt);
        expect(inside).toBe(key.startsWith(prefix));
      }),
    );
  });

  it('refuses prefixes beyond printable ASCII', () => {
    expect(code(() => prefixRange('caf\u00e9'))).toBe('STORAGE_INVALID');
  });
});
