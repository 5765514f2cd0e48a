import type { CborValue } from '../cbor/value.ts';
import { TimelineError } from './errors.ts';

/** Field readers for the timeline's own CBOR structures; any mismatch is TIMELINE_MALFORMED. */

export function malformed(what: string): TimelineError {
  return new TimelineError('TIMELINE_MALFORMED', what);
}

export function readArray(value: CborValue, what: string, length?: number): readonly CborValue[] {
  if (!Array.isArray(value)) throw malformed(`${what}: an array expected`);
  const array = value as readonly CborValue[];
  if (length !== undefined && array.length !== length) {
    throw malformed(`${what}: ${length} elements expected, got ${array.length}`);
  }
  return array;
}

export function readBytes(value: CborValue, what: string, length?: number): Uint8Array {
  if (!(value instanceof Uint8Array)) throw malformed(`${what}: a byte string expected`);
  if (length !== undefined && value.length !== length) {
    throw malformed(`${what}: ${length} bytes expected, got ${value.length}`);
  }
  return value;
}

/** A non-negative safe integer no larger than `max`. */
export function readUint(value: CborValue, what: string, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || value < 0 || value > max) {
    throw malformed(`${what}: an unsigned integer up to ${max} expected`);
  }
  return value;
}

export function readInt(value: CborValue, what: string): number {
  if (typeof value !== 'number') throw malformed(`${what}: a safe integer expected`);
  return value;
}

/** Any unsigned CBOR integer (MLS epochs are 64-bit). */
export function readBigUint(value: CborValue, what: string): bigint {
  if (typeof value === 'number' && value >= 0) return BigInt(value);
  if (typeof value === 'bigint' && value >= 0n) return value;
  throw malformed(`${what}: an unsigned integer expected`);
}

export function readBool(value: CborValue, what: string): boolean {
  if (typeof value !== 'boolean') throw malformed(`${what}: a boolean expected`);
  return value;
}
