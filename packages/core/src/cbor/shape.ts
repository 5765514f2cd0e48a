import type { CborValue } from './value.ts';

/**
 * Typed reads from a decoded CBOR tree for Kith's own structures (room state, sync frames...).
 * Each subsystem passes its own error factory, so a malformed field surfaces as that
 * subsystem's typed error with the path of the field.
 */
export class ShapeReader {
  readonly #fail: (path: string, message: string) => Error;

  constructor(fail: (path: string, message: string) => Error) {
    this.#fail = fail;
  }

  fail(path: string, message: string): never {
    throw this.#fail(path, message);
  }

  array(value: CborValue, path: string, length?: number): readonly CborValue[] {
    if (!Array.isArray(value)) return this.fail(path, 'an array expected');
    const array = value as readonly CborValue[];
    if (length !== undefined && array.length !== length) {
      return this.fail(path, `an array of ${length} elements expected, got ${array.length}`);
    }
    return array;
  }

  /** An array of at most `max` elements, each read by `item`. */
  list<T>(value: CborValue, path: string, max: number, item: (v: CborValue, p: string) => T): T[] {
    const array = this.array(value, path);
    if (array.length > max) return this.fail(path, `at most ${max} elements, got ${array.length}`);
    return array.map((v, i) => item(v, `${path}[${i}]`));
  }

  bytes(value: CborValue, path: string, length?: number): Uint8Array {
    if (!(value instanceof Uint8Array)) return this.fail(path, 'a byte string expected');
    if (length !== undefined && value.length !== length) {
      return this.fail(path, `${length} bytes expected, got ${value.length}`);
    }
    return value;
  }

  text(value: CborValue, path: string, maxBytes = 1024): string {
    if (typeof value !== 'string') return this.fail(path, 'a text string expected');
    // UTF-8 is at most 3 bytes per UTF-16 code unit, so this bound is cheap and safe.
    if (value.length * 3 > maxBytes && new TextEncoder().encode(value).length > maxBytes) {
      return this.fail(path, `at most ${maxBytes} bytes of text`);
    }
    return value;
  }

  bool(value: CborValue, path: string): boolean {
    if (typeof value !== 'boolean') return this.fail(path, 'a boolean expected');
    return value;
  }

  uint(value: CborValue, path: string, max = Number.MAX_SAFE_INTEGER): number {
    if (typeof value !== 'number' || value < 0 || value > max) {
      return this.fail(path, `an integer from 0 to ${max} expected`);
    }
    return value;
  }

  /** Any safe integer, negative included. */
  int(value: CborValue, path: string): number {
    if (typeof value !== 'number') return this.fail(path, 'a safe integer expected');
    return value;
  }

  /** An unsigned integer of any size (MLS epochs are 64-bit). */
  biguint(value: CborValue, path: string): bigint {
    if (typeof value === 'number' && value >= 0) return BigInt(value);
    if (typeof value === 'bigint' && value >= 0n) return value;
    return this.fail(path, 'an unsigned integer expected');
  }

  /** Checks a format version field; anything but `supported` fails. */
  version(value: CborValue, supported: number, path = 'version'): void {
    if (value !== supported) {
      this.fail(
        path,
        `unsupported version ${typeof value === 'number' ? value : '(not a number)'}`,
      );
    }
  }

  /** `undefined` for CBOR null, else the value read by `read`. */
  optional<T>(value: CborValue, path: string, read: (v: CborValue, p: string) => T): T | undefined {
    return value === null ? undefined : read(value, path);
  }
}
