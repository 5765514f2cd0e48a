import { compareByteRanges, hexPreview } from './bytes.ts';
import { CborError } from './errors.ts';
import { exactFloat16Bits } from './float16.ts';
import { resolveMaxDepth } from './limits.ts';
import {
  BYTE_FALSE,
  BYTE_FLOAT16,
  BYTE_FLOAT32,
  BYTE_FLOAT64,
  BYTE_NULL,
  BYTE_SIMPLE_ONE_BYTE,
  BYTE_TRUE,
  BYTE_UNDEFINED,
  FLOAT16_CANONICAL_NAN,
  MAJOR_ARRAY,
  MAJOR_BYTES,
  MAJOR_MAP,
  MAJOR_NEGATIVE,
  MAJOR_SIMPLE_FLOAT,
  MAJOR_TAG,
  MAJOR_UNSIGNED,
} from './major-type.ts';
import type { CborValue } from './value.ts';
import { CborFloat, CborSimple, CborTag } from './value.ts';
import { CborWriter } from './writer.ts';

const MAX_UINT64 = 0xffff_ffff_ffff_ffffn;
const MIN_NEGATIVE_INT64 = -0x1_0000_0000_0000_0000n;
/** A writer that has grown past this is dropped after use rather than kept for the next call. */
const MAX_RETAINED_CAPACITY = 1 << 20;

let idleWriter: CborWriter | undefined = new CborWriter();

/**
 * Encodes `value` in RFC 8949 section 4.2.1 deterministic encoding: shortest heads, definite
 * lengths, map keys sorted by their encoded bytes, floats in the shortest exact width.
 * Throws CborError (CBOR_INVALID_VALUE, CBOR_DUPLICATE_KEY, CBOR_TOO_DEEP) for values outside
 * the data model; `maxDepth` (default 64) limits nested arrays, maps and tags.
 */
export function encodeCbor(value: CborValue, options?: { readonly maxDepth?: number }): Uint8Array {
  const maxDepth = resolveMaxDepth(options?.maxDepth);
  // Reuse one buffer across calls; a reentrant call finds it taken and makes its own.
  const writer = idleWriter ?? new CborWriter();
  idleWriter = undefined;
  try {
    new Encoder(writer, maxDepth).encode(value, 0);
    return writer.toBytes();
  } finally {
    writer.length = 0;
    if (writer.bytes.length <= MAX_RETAINED_CAPACITY) idleWriter = writer;
  }
}

class Encoder {
  private readonly writer: CborWriter;
  private readonly maxDepth: number;

  constructor(writer: CborWriter, maxDepth: number) {
    this.writer = writer;
    this.maxDepth = maxDepth;
  }

  /** Takes `unknown` because callers outside TypeScript can pass anything; `depth` counts enclosing containers. */
  encode(value: unknown, depth: number): void {
    switch (typeof value) {
      case 'number':
        this.writeInteger(value);
        return;
      case 'bigint':
        this.writeBigInteger(value);
        return;
      case 'string':
        this.writer.writeText(value);
        return;
      case 'boolean':
        this.writer.writeByte(value ? BYTE_TRUE : BYTE_FALSE);
        return;
      case 'undefined':
        this.writer.writeByte(BYTE_UNDEFINED);
        return;
      case 'object':
        this.encodeObject(value, depth);
        return;
      default:
        throw invalidValue(`Cannot encode a ${typeof value} as CBOR`);
    }
  }

  private encodeObject(value: object | null, depth: number): void {
    const writer = this.writer;
    if (value === null) {
      writer.writeByte(BYTE_NULL);
    } else if (value instanceof Uint8Array) {
      writer.writeHead(MAJOR_BYTES, value.length);
      writer.writeBytes(value);
    } else if (isArray(value)) {
      this.enterContainer(depth);
      writer.writeHead(MAJOR_ARRAY, value.length);
      for (const item of value) this.encode(item, depth + 1);
    } else if (value instanceof Map) {
      this.enterContainer(depth);
      this.encodeMap(value as ReadonlyMap<unknown, unknown>, depth + 1);
    } else if (value instanceof CborFloat) {
      this.writeFloat(value);
    } else if (value instanceof CborTag) {
      this.enterContainer(depth);
      this.writeTagNumber(value.tag);
      this.encode(value.value, depth + 1);
    } else if (value instanceof CborSimple) {
      this.writeSimple(value);
    } else {
      throw invalidValue(
        `Cannot encode ${describe(value)} as CBOR: expected a CborValue (integer, bigint, string, Uint8Array, boolean, null, undefined, array, Map, CborFloat, CborTag or CborSimple)`,
      );
    }
  }

  /** Checks the depth limit before descending into a container at nesting level `depth`. */
  private enterContainer(depth: number): void {
    if (depth >= this.maxDepth) {
      throw new CborError(
        'CBOR_TOO_DEEP',
        `Cannot encode containers nested more than ${this.maxDepth} deep (is the value cyclic?)`,
      );
    }
  }

  private writeInteger(value: number): void {
    if (!Number.isSafeInteger(value)) {
      throw invalidValue(
        `Cannot encode the number ${value}: a plain number must be a safe integer; wrap floating-point values in CborFloat and use bigint for integers beyond 2^53 - 1`,
      );
    }
    if (value >= 0) this.writer.writeHead(MAJOR_UNSIGNED, value);
    else this.writer.writeHead(MAJOR_NEGATIVE, -1 - value);
  }

  private writeBigInteger(value: bigint): void {
    if (value >= 0n) {
      if (value > MAX_UINT64) throw bigIntOutOfRange(value);
      this.writer.writeBigHead(MAJOR_UNSIGNED, value);
    } else {
      if (value < MIN_NEGATIVE_INT64) throw bigIntOutOfRange(value);
      this.writer.writeBigHead(MAJOR_NEGATIVE, -1n - value);
    }
  }

  private writeTagNumber(tag: unknown): void {
    if (typeof tag === 'number' && Number.isSafeInteger(tag) && tag >= 0) {
      this.writer.writeHead(MAJOR_TAG, tag);
    } else if (typeof tag === 'bigint' && tag >= 0n && tag <= MAX_UINT64) {
      this.writer.writeBigHead(MAJOR_TAG, tag);
    } else {
      throw invalidValue(
        `Cannot encode tag number ${describe(tag)}: must be an integer 0 .. 2^64 - 1`,
      );
    }
  }

  private writeFloat(float: CborFloat): void {
    const value: unknown = float.value;
    if (typeof value !== 'number') {
      throw invalidValue(`Cannot encode CborFloat holding ${describe(value)}: expected a number`);
    }
    const writer = this.writer;
    if (Number.isNaN(value)) {
      writer.writeByte(BYTE_FLOAT16);
      writer.writeUint16(FLOAT16_CANONICAL_NAN);
    } else if (Math.fround(value) !== value) {
      writer.writeByte(BYTE_FLOAT64);
      writer.writeFloat64(value);
    } else {
      const halfBits = exactFloat16Bits(value);
      if (halfBits === undefined) {
        writer.writeByte(BYTE_FLOAT32);
        writer.writeFloat32(value);
      } else {
        writer.writeByte(BYTE_FLOAT16);
        writer.writeUint16(halfBits);
      }
    }
  }

  private writeSimple(simple: CborSimple): void {
    const value: unknown = simple.value;
    if (typeof value === 'number' && Number.isInteger(value)) {
      if (value >= 0 && value <= 19) {
        this.writer.writeByte((MAJOR_SIMPLE_FLOAT << 5) | value);
        return;
      }
      if (value >= 32 && value <= 255) {
        this.writer.writeByte(BYTE_SIMPLE_ONE_BYTE);
        this.writer.writeByte(value);
        return;
      }
    }
    throw invalidValue(
      `Cannot encode CborSimple(${describe(value)}): simple values are 0..19 or 32..255 (use false, true, null, undefined and CborFloat for the others)`,
    );
  }

  private writeKey(key: unknown): void {
    if (typeof key === 'number') {
      if (!Number.isSafeInteger(key)) {
        throw invalidValue(`Cannot encode map key ${key}: a number key must be a safe integer`);
      }
      this.writeInteger(key);
    } else if (typeof key === 'string') {
      this.writer.writeText(key);
    } else if (key instanceof Uint8Array) {
      this.writer.writeHead(MAJOR_BYTES, key.length);
      this.writer.writeBytes(key);
    } else {
      throw invalidValue(
        `Cannot encode map key ${describe(key)}: keys must be safe integers, strings or Uint8Arrays`,
      );
    }
  }

  /** `depth` is the map's own nesting level, which its values inherit as enclosing containers. */
  private encodeMap(map: ReadonlyMap<unknown, unknown>, depth: number): void {
    const writer = this.writer;
    writer.writeHead(MAJOR_MAP, map.size);
    if (map.size <= 1) {
      for (const [key, value] of map) {
        this.writeKey(key);
        this.encode(value, depth);
      }
      return;
    }
    // Keys sort by their encoded bytes, so encode them all first, using the output as scratch.
    const scratchStart = writer.length;
    const keyEnds: number[] = [];
    const values: unknown[] = [];
    for (const [key, value] of map) {
      this.writeKey(key);
      keyEnds.push(writer.length - scratchStart);
      values.push(value);
    }
    const keyBytes = writer.bytes.slice(scratchStart, writer.length);
    writer.length = scratchStart;
    const keyStart = (index: number): number => (index === 0 ? 0 : (keyEnds[index - 1] ?? 0));
    const keyEnd = (index: number): number => keyEnds[index] ?? 0;
    const compareKeys = (a: number, b: number): number =>
      compareByteRanges(keyBytes, keyStart(a), keyEnd(a), keyBytes, keyStart(b), keyEnd(b));

    const order = values.map((_, index) => index);
    if (!isStrictlyAscending(order, compareKeys)) order.sort(compareKeys);
    let previous = -1;
    for (const index of order) {
      if (previous >= 0 && compareKeys(previous, index) === 0) {
        const hex = hexPreview(keyBytes.subarray(keyStart(index), keyEnd(index)));
        throw new CborError(
          'CBOR_DUPLICATE_KEY',
          `Cannot encode a map with two keys that both encode as ${hex}`,
        );
      }
      writer.writeBytes(keyBytes.subarray(keyStart(index), keyEnd(index)));
      this.encode(values[index], depth);
      previous = index;
    }
  }
}

function isArray(value: object): value is readonly unknown[] {
  return Array.isArray(value);
}

function isStrictlyAscending(
  order: readonly number[],
  compare: (a: number, b: number) => number,
): boolean {
  for (let i = 1; i < order.length; i++) {
    if (compare(i - 1, i) >= 0) return false;
  }
  return true;
}

function bigIntOutOfRange(value: bigint): CborError {
  return invalidValue(`Cannot encode ${value}n: CBOR integers range from -2^64 to 2^64 - 1`);
}

function invalidValue(message: string): CborError {
  return new CborError('CBOR_INVALID_VALUE', message);
}

/** Names a value for an error message without dumping its contents. */
function describe(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
    case 'bigint':
      return `${value}n`;
    case 'function':
      return 'a function';
    case 'object': {
      if (value === null) return 'null';
      const constructor: unknown = value.constructor;
      if (typeof constructor !== 'function' || constructor === Object) return 'a plain object';
      return `an instance of ${constructor.name || 'an anonymous class'}`;
    }
    default:
      return String(value);
  }
}
