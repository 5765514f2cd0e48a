import { Simple, Tag, cdeEncodeOptions, encode, encodedNumber } from 'cbor2';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeCbor } from '../../src/cbor/encode.ts';
import type { CborValue } from '../../src/cbor/value.ts';
import { CborFloat, CborSimple, CborTag } from '../../src/cbor/value.ts';
import { cborValueArb, floatNumberArb } from './arbitraries.ts';
import { isArray, isMap, toHex } from './helpers.ts';

/**
 * cbor2 in CDE mode (draft-ietf-cbor-cde: RFC 8949 section 4.2.1 with bytewise key order).
 * `ignoreOriginalEncoding: false` lets a number boxed by `encodedNumber(x, 'f')` keep the
 * float encoding cbor2 chose for it; cbor2 would otherwise write an integral 1.0 as integer 1.
 */
const cde = { ...cdeEncodeOptions, ignoreOriginalEncoding: false };

/** Our data model in cbor2's: it writes safe-integer numbers as integers and others as floats. */
function toCbor2(value: CborValue): unknown {
  if (isArray(value)) return value.map(toCbor2);
  if (isMap(value)) {
    return new Map([...value].map(([key, item]) => [key, toCbor2(item)]));
  }
  if (value instanceof CborFloat) {
    return Number.isSafeInteger(value.value) && !Object.is(value.value, -0)
      ? encodedNumber(value.value, 'f')
      : value.value;
  }
  if (value instanceof CborTag) return new Tag(value.tag, toCbor2(value.value));
  if (value instanceof CborSimple) return new Simple(value.value);
  return value;
}

describe('encodeCbor against cbor2 (CDE) as an oracle', () => {
  it('agrees byte for byte on arbitrary values', () => {
    fc.assert(
      fc.property(cborValueArb, (value) => {
        expect(toHex(encodeCbor(value))).toBe(toHex(encode(toCbor2(value), cde)));
      }),
      { numRuns: 400 },
    );
  });

  it('agrees on float widths', () => {
    fc.assert(
      fc.property(floatNumberArb, (value) => {
        const float = new CborFloat(value);
        expect(toHex(encodeCbor(float))).toBe(toHex(encode(toCbor2(float), cde)));
      }),
      { numRuns: 500 },
    );
  });

  it('agrees on plain cdeEncodeOptions for values without integral floats', () => {
    const map = new Map<string | number, CborValue>([
      ['b', [1, -1, 2n ** 60n, 'x', new CborFloat(0.5)]],
      [-5, new Map([[1, null]])],
      [300, undefined],
      ['a', true],
    ]);
    expect(toHex(encodeCbor(map))).toBe(toHex(encode(toCbor2(map), cdeEncodeOptions)));
  });
});
