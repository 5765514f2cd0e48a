import { CborFloat, CborSimple, CborTag, type CborValue } from '../cbor/value.ts';
import { ContentError } from './errors.ts';

/**
 * Typed reads from a decoded CBOR tree, each naming the field it reads so that an error says
 * exactly where the input went wrong.
 */
export function readArray(value: CborValue, path: string, length?: number): readonly CborValue[] {
  if (!Array.isArray(value)) throw malformed(path, 'an array', value);
  const array = value as readonly CborValue[];
  if (length !== undefined && array.length !== length) {
    throw new ContentError(
      'CONTENT_MALFORMED',
      path,
      `an array of ${length} elements expected, got ${array.length}`,
    );
  }
  return array;
}

export function readBytes(value: CborValue, path: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw malformed(path, 'a byte string', value);
  return value;
}

export function readText(value: CborValue, path: string): string {
  if (typeof value !== 'string') throw malformed(path, 'a text string', value);
  return value;
}

export function readBool(value: CborValue, path: string): boolean {
  if (typeof value !== 'boolean') throw malformed(path, 'a boolean', value);
  return value;
}

/** An unsigned integer up to `max` (at most 2^53 - 1: larger CBOR integers decode as bigint). */
export function readUint(value: CborValue, path: string, max: number): number {
  if (typeof value === 'bigint') {
    throw new ContentError(
      'CONTENT_OUT_OF_RANGE',
      path,
      value < 0n ? 'an unsigned integer expected' : `at most ${max} expected, got ${value}`,
    );
  }
  if (typeof value !== 'number') throw malformed(path, 'an unsigned integer', value);
  if (value < 0 || value > max) {
    throw new ContentError(
      'CONTENT_OUT_OF_RANGE',
      path,
      `an integer from 0 to ${max} expected, got ${value}`,
    );
  }
  return value;
}

export function readNullable<T>(
  value: CborValue,
  path: string,
  read: (value: CborValue, path: string) => T,
): T | null {
  return value === null ? null : read(value, path);
}

function malformed(path: string, expected: string, got: CborValue): ContentError {
  return new ContentError('CONTENT_MALFORMED', path, `${expected} expected, got ${describe(got)}`);
}

function describe(value: CborValue): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Uint8Array) return 'a byte string';
  if (value instanceof Map) return 'a map';
  if (value instanceof CborTag) return `tag ${value.tag}`;
  if (value instanceof CborFloat) return 'a float';
  if (value instanceof CborSimple) return `simple value ${value.value}`;
  switch (typeof value) {
    case 'string':
      return 'a text string';
    case 'boolean':
      return String(value);
    default:
      return 'an integer';
  }
}
