import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCbor } from '../../src/cbor/decode.ts';
import { encodeCbor } from '../../src/cbor/encode.ts';
import { CborError } from '../../src/cbor/errors.ts';
import { cborValueArb, keyArb } from './arbitraries.ts';
import { cborEqual, compareKeysDeterministically, toHex, withSortedMaps } from './helpers.ts';

const NUM_RUNS = 400;

/** Decoding must throw a CborError or give a value that re-encodes to exactly the input. */
function checkStrictDecode(bytes: Uint8Array): void {
  let value;
  try {
    value = decodeCbor(bytes);
  } catch (error) {
    if (!(error instanceof CborError)) throw error;
    expect(error.offset).toBeGreaterThanOrEqual(0);
    expect(error.offset).toBeLessThanOrEqual(bytes.length);
    return;
  }
  expect(toHex(encodeCbor(value))).toBe(toHex(bytes));
}

interface Mutation {
  readonly kind: 'replace' | 'insert' | 'delete' | 'truncate';
  readonly at: number;
  readonly byte: number;
}

const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('replace', 'insert', 'delete', 'truncate'),
  at: fc.nat(),
  byte: fc.nat(255),
});

function mutate(bytes: Uint8Array, mutation: Mutation): Uint8Array {
  const list = [...bytes];
  if (list.length === 0) return bytes;
  const at = mutation.at % list.length;
  if (mutation.kind === 'replace') list[at] = mutation.byte;
  else if (mutation.kind === 'insert')
    list.splice(mutation.at % (list.length + 1), 0, mutation.byte);
  else if (mutation.kind === 'delete') list.splice(at, 1);
  else list.length = at;
  return Uint8Array.from(list);
}

describe('CBOR properties', () => {
  it('decodeCbor(encodeCbor(v)) equals v, with maps in deterministic order', () => {
    fc.assert(
      fc.property(cborValueArb, (value) => {
        expect(cborEqual(decodeCbor(encodeCbor(value)), withSortedMaps(value))).toBe(true);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('encodeCbor(decodeCbor(b)) equals b for every encoding b', () => {
    fc.assert(
      fc.property(cborValueArb, (value) => {
        const bytes = encodeCbor(value);
        expect(toHex(encodeCbor(decodeCbor(bytes)))).toBe(toHex(bytes));
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('encoding does not depend on map insertion order', () => {
    fc.assert(
      fc.property(cborValueArb, (value) => {
        expect(toHex(encodeCbor(withSortedMaps(value)))).toBe(toHex(encodeCbor(value)));
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('key order from the RFC rules matches bytewise order of the encodings', () => {
    fc.assert(
      fc.property(keyArb, keyArb, (a, b) => {
        const byEncoding = Buffer.compare(Buffer.from(encodeCbor(a)), Buffer.from(encodeCbor(b)));
        expect(Math.sign(compareKeysDeterministically(a, b))).toBe(byEncoding);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('random bytes decode strictly or throw CborError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 48 }), checkStrictDecode), {
      numRuns: NUM_RUNS,
    });
  });

  it('mutated encodings decode strictly or throw CborError', () => {
    fc.assert(
      fc.property(
        cborValueArb,
        fc.array(mutationArb, { minLength: 1, maxLength: 3 }),
        (value, mutations) => {
          let bytes = encodeCbor(value);
          for (const mutation of mutations) bytes = mutate(bytes, mutation);
          checkStrictDecode(bytes);
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });
});
