import { expect } from 'vitest';
import { CborError, type CborErrorCode } from '../../src/cbor/errors.ts';
import type { CborKey, CborMap, CborValue } from '../../src/cbor/value.ts';
import { CborFloat, CborSimple, CborTag } from '../../src/cbor/value.ts';

/** Bytes from hex, ignoring whitespace, so vectors can be spaced out by data item. */
export function hex(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** Runs `action`, asserts it throws a CborError with `code` (and `offset`), and returns the error. */
export function expectCborError(
  action: () => unknown,
  code: CborErrorCode,
  offset?: number,
): CborError {
  let thrown: unknown;
  try {
    action();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(CborError);
  const error = thrown as CborError;
  expect(error.code).toBe(code);
  expect(error.name).toBe('CborError');
  if (offset !== undefined) {
    expect(error.offset).toBe(offset);
    expect(error.message).toContain(`byte offset ${offset}`);
  }
  return error;
}

/**
 * Structural equality for the CBOR data model: bytes by content, maps entry by entry in
 * order, floats by Object.is (so NaN equals NaN and -0 differs from 0), integers by type too.
 */
export function cborEqual(a: CborValue, b: CborValue): boolean {
  if (typeof a !== 'object' || a === null) return Object.is(a, b);
  if (typeof b !== 'object' || b === null) return false;
  if (a instanceof Uint8Array) {
    return b instanceof Uint8Array && Buffer.from(a).equals(Buffer.from(b));
  }
  if (isArray(a)) {
    return isArray(b) && a.length === b.length && a.every((item, i) => cborEqual(item, b[i]));
  }
  if (isMap(a)) {
    if (!isMap(b) || a.size !== b.size) return false;
    const bEntries = [...b.entries()];
    return [...a.entries()].every(([key, value], i) => {
      const entry = bEntries[i];
      return entry !== undefined && cborEqual(key, entry[0]) && cborEqual(value, entry[1]);
    });
  }
  if (a instanceof CborFloat) return b instanceof CborFloat && Object.is(a.value, b.value);
  if (a instanceof CborSimple) return b instanceof CborSimple && a.value === b.value;
  if (a instanceof CborTag) {
    return b instanceof CborTag && Object.is(a.tag, b.tag) && cborEqual(a.value, b.value);
  }
  return false;
}

export function isArray(value: CborValue): value is readonly CborValue[] {
  return Array.isArray(value);
}

export function isMap(value: CborValue): value is CborMap {
  return value instanceof Map;
}

/**
 * Orders map keys as RFC 8949 section 4.2.1 does, derived from the rules rather than by
 * encoding: unsigned before negative before byte strings before text; unsigned ascending,
 * negative descending; strings by length, then bytes (the head encodes the length).
 */
export function compareKeysDeterministically(a: CborKey, b: CborKey): number {
  const rankDifference = keyRank(a) - keyRank(b);
  if (rankDifference !== 0) return rankDifference;
  if (typeof a === 'number' && typeof b === 'number') return a >= 0 ? a - b : b - a;
  const aBytes = typeof a === 'string' ? Buffer.from(a, 'utf8') : Buffer.from(a as Uint8Array);
  const bBytes = typeof b === 'string' ? Buffer.from(b, 'utf8') : Buffer.from(b as Uint8Array);
  return aBytes.length - bBytes.length || Buffer.compare(aBytes, bBytes);
}

function keyRank(key: CborKey): number {
  if (typeof key === 'number') return key >= 0 ? 0 : 1;
  return typeof key === 'string' ? 3 : 2;
}

/** `value` with every map's entries in deterministic key order, as decoding returns them. */
export function withSortedMaps(value: CborValue): CborValue {
  if (isArray(value)) return value.map(withSortedMaps);
  if (isMap(value)) {
    const entries = [...value.entries()].sort(([a], [b]) => compareKeysDeterministically(a, b));
    return new Map(entries.map(([key, item]) => [key, withSortedMaps(item)]));
  }
  if (value instanceof CborTag) return new CborTag(value.tag, withSortedMaps(value.value));
  return value;
}
