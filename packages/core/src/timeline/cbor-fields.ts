import { ShapeReader } from '../cbor/shape.ts';
import type { CborValue } from '../cbor/value.ts';
import { TimelineError } from './errors.ts';

/** Field readers for the timeline's own CBOR structures; any mismatch is TIMELINE_MALFORMED. */

export function malformed(what: string): TimelineError {
  return new TimelineError('TIMELINE_MALFORMED', what);
}

const r: ShapeReader = new ShapeReader((path, message) => malformed(`${path}: ${message}`));

export const readArray = (value: CborValue, what: string, length?: number): readonly CborValue[] =>
  r.array(value, what, length);

export const readBytes = (value: CborValue, what: string, length?: number): Uint8Array =>
  r.bytes(value, what, length);

/** A non-negative safe integer no larger than `max`. */
export const readUint = (value: CborValue, what: string, max?: number): number =>
  r.uint(value, what, max);

export const readInt = (value: CborValue, what: string): number => r.int(value, what);

/** Any unsigned CBOR integer (MLS epochs are 64-bit). */
export const readBigUint = (value: CborValue, what: string): bigint => r.biguint(value, what);

export const readBool = (value: CborValue, what: string): boolean => r.bool(value, what);
