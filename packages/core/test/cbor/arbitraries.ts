import fc from 'fast-check';
import type { CborKey, CborValue } from '../../src/cbor/value.ts';
import { CborFloat, CborSimple, CborTag } from '../../src/cbor/value.ts';
import { toHex } from './helpers.ts';

const TWO_POW_53 = 2n ** 53n;
const TWO_POW_64 = 2n ** 64n;

/** Integers that stay `number`, weighted towards the head-size boundaries. */
const safeIntegerArb = fc.oneof(
  fc.integer(),
  fc.maxSafeInteger(),
  fc.constantFrom(
    0,
    23,
    24,
    255,
    256,
    65535,
    65536,
    2 ** 32 - 1,
    2 ** 32,
    Number.MAX_SAFE_INTEGER,
    -1,
    -24,
    -25,
    -256,
    -257,
    -65537,
    -(2 ** 32),
    -(2 ** 32) - 1,
    Number.MIN_SAFE_INTEGER,
  ),
);

/** Integers beyond the safe range, which decode as `bigint`. */
const unsafeBigIntArb = fc.oneof(
  fc.bigInt({ min: TWO_POW_53, max: TWO_POW_64 - 1n }),
  fc.bigInt({ min: -TWO_POW_64, max: -TWO_POW_53 - 1n }),
  fc.constantFrom(TWO_POW_53, TWO_POW_64 - 1n, -TWO_POW_64, -TWO_POW_53 - 1n),
);

/** Well-formed strings; the long ones exercise the TextEncoder path of the encoder. */
const textArb = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.string({ unit: 'binary', minLength: 60, maxLength: 200 }),
  fc.string({ unit: 'grapheme-ascii', minLength: 20, maxLength: 300 }),
);

const bytesArb = fc.uint8Array({ maxLength: 40 });

/** Computes a binary16 value from its bits independently of the code under test. */
function float16Value(bits: number): number {
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  const sign = bits & 0x8000 ? -1 : 1;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** Doubles spread over all three encoded widths, plus the special values. */
export const floatNumberArb = fc.oneof(
  fc.double(),
  fc.float(),
  fc.integer({ min: 0, max: 0xffff }).map(float16Value),
  fc.constantFrom(0, -0, NaN, Infinity, -Infinity, 65504, 65505, 5.960464477539063e-8, 1e300),
);

const floatArb = floatNumberArb.map((value) => new CborFloat(value));

const simpleArb = fc
  .oneof(fc.integer({ min: 0, max: 19 }), fc.integer({ min: 32, max: 255 }))
  .map((value) => new CborSimple(value));

const tagNumberArb = fc.oneof(
  fc.nat(),
  fc.maxSafeNat(),
  fc.bigInt({ min: TWO_POW_53, max: TWO_POW_64 - 1n }),
);

export const keyArb: fc.Arbitrary<CborKey> = fc.oneof(safeIntegerArb, textArb, bytesArb);

/** Keys that encode identically get the same id (distinct Uint8Arrays can hold equal bytes). */
function keyId(key: CborKey): string {
  if (typeof key === 'number') return `n${key}`;
  return typeof key === 'string' ? `s${key}` : `b${toHex(key)}`;
}

function mapArb(
  keys: fc.Arbitrary<CborKey>,
  values: fc.Arbitrary<CborValue>,
): fc.Arbitrary<Map<CborKey, CborValue>> {
  return fc
    .uniqueArray(fc.tuple(keys, values), { selector: ([key]) => keyId(key), maxLength: 6 })
    .map((entries) => new Map(entries));
}

/** Any value of the data model; maps have random insertion order. */
export const cborValueArb: fc.Arbitrary<CborValue> = fc.letrec<{ value: CborValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    safeIntegerArb,
    unsafeBigIntArb,
    textArb,
    bytesArb,
    fc.boolean(),
    fc.constantFrom(null, undefined),
    floatArb,
    simpleArb,
    fc.array(tie('value'), { maxLength: 6 }),
    mapArb(keyArb, tie('value')),
    fc.tuple(tagNumberArb, tie('value')).map(([tag, value]) => new CborTag(tag, value)),
  ),
})).value;
