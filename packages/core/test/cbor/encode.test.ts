import { describe, expect, it } from 'vitest';
import { decodeCbor } from '../../src/cbor/decode.ts';
import { encodeCbor } from '../../src/cbor/encode.ts';
import type { CborKey, CborValue } from '../../src/cbor/value.ts';
import { CborFloat, CborSimple, CborTag } from '../../src/cbor/value.ts';
import { expectCborError, hex, toHex } from './helpers.ts';
import { rfc8949Vectors } from './rfc8949-vectors.ts';

describe('encodeCbor: RFC 8949 Appendix A', () => {
  it.each(rfc8949Vectors)('$name -> $hex', ({ value, hex: expected }) => {
    expect(toHex(encodeCbor(value))).toBe(expected);
  });
});

describe('encodeCbor: floats take the shortest exact width', () => {
  it.each([
    [2 ** -24, 'f90001'], // smallest binary16 subnormal
    [2 ** -25, 'fa33000000'], // below binary16 range
    [3 * 2 ** -24, 'f90003'],
    [1023 * 2 ** -24, 'f903ff'], // largest binary16 subnormal
    [2 ** -14, 'f90400'], // smallest binary16 normal
    [65504, 'f97bff'], // largest binary16 normal
    [65520, 'fa477ff000'], // would round to Infinity in binary16
    [1 + 2 ** -10, 'f93c01'],
    [1 + 2 ** -11, 'fa3f801000'], // one bit too many for binary16
    [1 + 2 ** -23, 'fa3f800001'],
    [1 + 2 ** -24, 'fb3ff0000010000000'], // one bit too many for binary32
    [2 ** -149, 'fa00000001'], // smallest binary32 subnormal
    [2 ** -150, 'fb3690000000000000'],
    [-(2 ** 53), 'fada000000'], // integral but unsafe: still a float
    [2 ** 53 + 2, 'fb4340000000000001'],
    [Number.MAX_VALUE, 'fb7fefffffffffffff'],
    [Number.MIN_VALUE, 'fb0000000000000001'],
  ])('%d -> %s', (value, expected) => {
    expect(toHex(encodeCbor(new CborFloat(value)))).toBe(expected);
  });

  it('writes every NaN as f97e00', () => {
    const negativeNaN = new Float64Array(new BigUint64Array([0xfff8000000000001n]).buffer)[0];
    expect(toHex(encodeCbor(new CborFloat(negativeNaN ?? 0)))).toBe('f97e00');
    expect(toHex(encodeCbor(new CborFloat(0 / 0)))).toBe('f97e00');
  });
});

describe('encodeCbor: map keys in bytewise order of their encodings', () => {
  const keys: CborKey[] = ['aa', 'z', hex('00'), 100, -1, 10];
  const map = new Map<CborKey, CborValue>(keys.map((key, i) => [key, i]));

  it('sorts by encoded bytes: 0a < 1864 < 20 < 4100 < 617a < 626161', () => {
    expect(toHex(encodeCbor(map))).toBe(
      'a6' + '0a05' + '186403' + '2004' + '410002' + '617a01' + '62616100',
    );
  });

  it('differs from RFC 7049 length-first order, which puts -1 (20) before 100 (1864)', () => {
    const encodedKeys = keys.map((key) => toHex(encodeCbor(key)));
    const bytewise = [...encodedKeys].sort();
    const lengthFirst = [...encodedKeys].sort((a, b) => a.length - b.length || (a < b ? -1 : 1));
    expect(bytewise).toEqual(['0a', '1864', '20', '4100', '617a', '626161']);
    expect(lengthFirst).toEqual(['0a', '20', '1864', '4100', '617a', '626161']);
    // The decoder rejects the length-first order.
    const lengthFirstMap = 'a6' + '0a05' + '2004' + '186403' + '410002' + '617a01' + '62616100';
    expectCborError(() => decodeCbor(hex(lengthFirstMap)), 'CBOR_NOT_DETERMINISTIC', 5);
  });

  it('puts 256 (190100) before "z" (617a) although it is longer', () => {
    const bytes = encodeCbor(
      new Map<CborKey, CborValue>([
        ['z', 1],
        [256, 2],
      ]),
    );
    expect(toHex(bytes)).toBe('a2' + '19010002' + '617a01');
  });

  it('orders text keys by UTF-8 bytes, not UTF-16 code units', () => {
    // U+FF61 is one UTF-16 unit and U+10000 two, but both UTF-8 forms start differently: ef < f0.
    const bytes = encodeCbor(
      new Map<CborKey, CborValue>([
        ['\u{10000}', 1],
        ['\uff61', 2],
      ]),
    );
    expect(toHex(bytes)).toBe('a2' + '63efbda102' + '64f090808001');
  });

  it('keeps an already sorted map as is and sorts large maps', () => {
    const sorted = new Map<CborKey, CborValue>(Array.from({ length: 300 }, (_, i) => [i, i]));
    const reversed = new Map<CborKey, CborValue>([...sorted].reverse());
    expect(toHex(encodeCbor(reversed))).toBe(toHex(encodeCbor(sorted)));
    expect(decodeCbor(encodeCbor(reversed))).toEqual(sorted);
  });
});

describe('encodeCbor: text', () => {
  // Lengths either side of each head-size boundary, for each encoder path (ASCII, short
  // non-ASCII, long via TextEncoder) and for a worst-case head that shrinks after encoding.
  const lengths = [0, 1, 7, 8, 23, 24, 63, 64, 85, 86, 255, 256, 21845, 21846, 65535, 65536];
  it.each(['a', '\u00e9', '\u20ac', '\u{1f600}', 'a\u20ac'])('matches Buffer for %j', (unit) => {
    for (const length of lengths) {
      const text = unit.repeat(length);
      const utf8 = Buffer.from(text, 'utf8');
      const encoded = encodeCbor(text);
      expect(toHex(encoded.subarray(encoded.length - utf8.length))).toBe(utf8.toString('hex'));
      expect(decodeCbor(encoded)).toBe(text);
    }
  });

  it.each(['\ud800', '\udc00', 'a\ud800b', 'a\udc00\ud800', `${'x'.repeat(100)}\ud83d`])(
    'rejects the lone surrogate in %j',
    (text) => {
      const error = expectCborError(() => encodeCbor(text), 'CBOR_INVALID_VALUE');
      expect(error.message).toMatch(/lone surrogate U\+D[89A-F][0-9A-F]{2} at index \d+/);
      expect(error.offset).toBeUndefined();
    },
  );
});

describe('encodeCbor: values outside the data model', () => {
  it.each([1.5, NaN, Infinity, -Infinity, 2 ** 53, -(2 ** 53), 1e300])(
    'rejects the non-safe-integer number %d, suggesting CborFloat or bigint',
    (value) => {
      const error = expectCborError(() => encodeCbor(value), 'CBOR_INVALID_VALUE');
      expect(error.message).toContain('CborFloat');
      expect(error.message).toContain('bigint');
    },
  );

  it.each([2n ** 64n, -(2n ** 64n) - 1n, 2n ** 100n])('rejects the bigint %s', (value) => {
    expectCborError(() => encodeCbor(value), 'CBOR_INVALID_VALUE');
  });

  it.each([-1, 1.5, -1n, 2n ** 64n, Number.MAX_SAFE_INTEGER + 1])(
    'rejects tag number %s',
    (tag) => {
      expectCborError(() => encodeCbor(new CborTag(tag, 0)), 'CBOR_INVALID_VALUE');
    },
  );

  it.each([20, 21, 22, 23, 24, 31, 256, -1, 1.5])('rejects CborSimple(%d)', (value) => {
    expectCborError(() => encodeCbor(new CborSimple(value)), 'CBOR_INVALID_VALUE');
  });

  it.each<[string, unknown]>([
    ['boolean', true],
    ['null', null],
    ['float', 1.5],
    ['bigint', 1n],
    ['array', []],
    ['CborFloat', new CborFloat(1)],
  ])('rejects a %s map key', (_, key) => {
    const map = new Map([[key, 0]]) as unknown as CborValue;
    expectCborError(() => encodeCbor(map), 'CBOR_INVALID_VALUE');
  });

  it.each<[string, unknown]>([
    ['plain object', { a: 1 }],
    ['Date', new Date(0)],
    ['Uint16Array', new Uint16Array(1)],
    ['Set', new Set()],
    ['symbol', Symbol('x')],
    ['function', () => 0],
    ['prototype-less object', Object.create(null)],
    ['CborFloat holding a string', new CborFloat('1' as unknown as number)],
  ])('rejects a %s', (_, value) => {
    expectCborError(() => encodeCbor(value as CborValue), 'CBOR_INVALID_VALUE');
  });

  it('rejects two byte-string keys with equal bytes', () => {
    const map = new Map<CborKey, CborValue>([
      [hex('0102'), 1],
      ['x', 2],
      [hex('0102'), 3],
    ]);
    const error = expectCborError(() => encodeCbor(map), 'CBOR_DUPLICATE_KEY');
    expect(error.message).toContain("h'420102'");
  });
});

describe('encodeCbor: nesting limit', () => {
  function nestedArrays(depth: number): CborValue {
    let value: CborValue = 0;
    for (let i = 0; i < depth; i++) value = [value];
    return value;
  }

  it('allows 64 nested containers and rejects 65', () => {
    expect(encodeCbor(nestedArrays(64))).toHaveLength(65);
    expectCborError(() => encodeCbor(nestedArrays(65)), 'CBOR_TOO_DEEP');
  });

  it('counts maps and tags as containers and honours maxDepth', () => {
    const value = new CborTag(1, new Map([[1, [0]]]));
    expect(toHex(encodeCbor(value, { maxDepth: 3 }))).toBe('c1a1018100');
    expectCborError(() => encodeCbor(value, { maxDepth: 2 }), 'CBOR_TOO_DEEP');
    expectCborError(() => encodeCbor([], { maxDepth: 0 }), 'CBOR_TOO_DEEP');
    expect(toHex(encodeCbor(1, { maxDepth: 0 }))).toBe('01');
  });

  it('stops a cyclic value', () => {
    const cycle: CborValue[] = [];
    cycle.push(cycle);
    const map = new Map<CborKey, CborValue>();
    map.set(1, map);
    expectCborError(() => encodeCbor(cycle), 'CBOR_TOO_DEEP');
    expectCborError(() => encodeCbor(map), 'CBOR_TOO_DEEP');
  });

  it.each([-1, 1.5, 1001, NaN])('refuses maxDepth %d as a programming error', (maxDepth) => {
    expect(() => encodeCbor(0, { maxDepth })).toThrow(RangeError);
  });
});

describe('encodeCbor: output buffer', () => {
  it('grows for large values and returns an independent copy each time', () => {
    const large = new Uint8Array(3_000_000).fill(7);
    const first = encodeCbor([large, 'x'.repeat(100_000)]);
    expect(first).toHaveLength(5 + large.length + 5 + 100_000 + 1);
    const small = encodeCbor([1, 2]);
    expect(toHex(small)).toBe('820102');
    expect(first[6]).toBe(7);
    expect(small.buffer).not.toBe(first.buffer);
  });

  it('is usable again after an encode error', () => {
    expectCborError(() => encodeCbor(['ok', 1.5]), 'CBOR_INVALID_VALUE');
    expect(toHex(encodeCbor(['ok']))).toBe('81626f6b');
  });

  it('accepts a Uint8Array subclass as a byte string', () => {
    expect(toHex(encodeCbor(Buffer.from([1, 2])))).toBe('420102');
  });
});
