import { compareByteRanges } from './bytes.ts';
import {
  breakCode,
  duplicateKey,
  indefiniteLength,
  invalidUtf8,
  keysOutOfOrder,
  lengthBeyondInput,
  longerFloatThanNeeded,
  majorTypeName,
  nonCanonicalNaN,
  nonShortestHead,
  reservedInfo,
  tooDeep,
  trailingBytes,
  truncatedItem,
  twoByteSimpleBelow32,
  unsupportedKey,
} from './decode-errors.ts';
import { exactFloat16Bits, float16BitsToNumber } from './float16.ts';
import { resolveMaxDepth } from './limits.ts';
import {
  FLOAT16_CANONICAL_NAN,
  MAJOR_ARRAY,
  MAJOR_BYTES,
  MAJOR_MAP,
  MAJOR_NEGATIVE,
  MAJOR_SIMPLE_FLOAT,
  MAJOR_TEXT,
  MAJOR_UNSIGNED,
} from './major-type.ts';
import type { CborKey, CborValue } from './value.ts';
import { CborFloat, CborSimple, CborTag } from './value.ts';

const TWO_POW_32 = 0x1_0000_0000;
/** Above this a decoded 64-bit argument no longer fits a safe integer. */
const MAX_SAFE_HIGH_WORD = Math.floor(Number.MAX_SAFE_INTEGER / TWO_POW_32);
/** Short ASCII text is decoded by hand; a TextDecoder call costs more than the loop. */
const MAX_HAND_DECODED_TEXT = 32;

// ignoreBOM keeps a leading U+FEFF as content instead of stripping it.
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Decodes exactly one data item, accepting only what `encodeCbor` produces byte for byte
 * (RFC 8949 section 4.2.1 deterministic encoding). Any other input throws a CborError whose
 * `offset` is where the offending data item starts. `maxDepth` (default 64) limits nested
 * arrays, maps and tags, counting the outermost as 1.
 */
export function decodeCbor(bytes: Uint8Array, options?: { readonly maxDepth?: number }): CborValue {
  const decoder = new Decoder(ownedPlainView(bytes), resolveMaxDepth(options?.maxDepth));
  const value = decoder.readItem(0);
  if (decoder.offset !== decoder.input.length) {
    throw trailingBytes(decoder.offset, decoder.input.length - decoder.offset);
  }
  return value;
}

/**
 * A plain Uint8Array over the input: `slice` on a subclass such as Node's Buffer returns a
 * view rather than a copy, and TextDecoder refuses views of a SharedArrayBuffer.
 */
function ownedPlainView(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  if (bytes.buffer instanceof ArrayBuffer) {
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  return new Uint8Array(bytes);
}

class Decoder {
  readonly input: Uint8Array<ArrayBuffer>;
  private readonly view: DataView;
  private readonly maxDepth: number;
  /** Where the next data item starts. */
  offset = 0;

  constructor(input: Uint8Array<ArrayBuffer>, maxDepth: number) {
    this.input = input;
    this.view = new DataView(input.buffer, input.byteOffset, input.byteLength);
    this.maxDepth = maxDepth;
  }

  /** Reads the data item at `offset`; `depth` counts the containers enclosing it. */
  readItem(depth: number): CborValue {
    const start = this.offset;
    const initial = this.readUint8(start);
    const majorType = initial >>> 5;
    const info = initial & 0x1f;
    if (majorType === MAJOR_SIMPLE_FLOAT) return this.readSimpleOrFloat(start, info);
    const argument = this.readArgument(start, majorType, info);
    switch (majorType) {
      case MAJOR_UNSIGNED:
        return argument;
      case MAJOR_NEGATIVE:
        return typeof argument === 'number' && argument < Number.MAX_SAFE_INTEGER
          ? -1 - argument
          : -1n - BigInt(argument);
      case MAJOR_BYTES: {
        const length = this.checkLength(start, majorType, argument, 1);
        this.offset += length;
        return this.input.slice(this.offset - length, this.offset);
      }
      case MAJOR_TEXT:
        return this.readText(start, this.checkLength(start, majorType, argument, 1));
      case MAJOR_ARRAY: {
        const count = this.checkLength(start, majorType, argument, 1);
        this.enterContainer(start, depth);
        const items: CborValue[] = [];
        for (let i = 0; i < count; i++) items.push(this.readItem(depth + 1));
        return items;
      }
      case MAJOR_MAP: {
        const count = this.checkLength(start, majorType, argument, 2);
        this.enterContainer(start, depth);
        return this.readMapEntries(count, depth + 1);
      }
      default: {
        // MAJOR_TAG, the only major type left.
        this.enterContainer(start, depth);
        return new CborTag(argument, this.readItem(depth + 1));
      }
    }
  }

  private readUint8(start: number): number {
    const byte = this.input[this.offset];
    if (byte === undefined) throw truncatedItem(start, 1, 0);
    this.offset++;
    return byte;
  }

  /** Reads the argument that follows an initial byte of major type 0..6, insisting on its shortest form. */
  private readArgument(start: number, majorType: number, info: number): number | bigint {
    if (info < 24) return info;
    let argument: number | bigint;
    let minimum: number;
    switch (info) {
      case 24:
        argument = this.readUint8(start);
        minimum = 24;
        break;
      case 25:
        this.need(start, 2);
        argument = this.view.getUint16(this.offset);
        this.offset += 2;
        minimum = 0x100;
        break;
      case 26:
        this.need(start, 4);
        argument = this.view.getUint32(this.offset);
        this.offset += 4;
        minimum = 0x10000;
        break;
      case 27: {
        this.need(start, 8);
        const high = this.view.getUint32(this.offset);
        const low = this.view.getUint32(this.offset + 4);
        this.offset += 8;
        argument =
          high <= MAX_SAFE_HIGH_WORD
            ? high * TWO_POW_32 + low
            : (BigInt(high) << 32n) | BigInt(low);
        minimum = TWO_POW_32;
        break;
      }
      case 31:
        throw indefiniteLength(start, majorType);
      default:
        throw reservedInfo(start, info);
    }
    if (argument < minimum) {
      throw nonShortestHead(start, majorType, Number(argument), this.offset - start);
    }
    return argument;
  }

  /**
   * Checks a declared length against the bytes left (each element needs at least
   * `minBytesPerElement`), so a hostile length fails before anything is allocated.
   */
  private checkLength(
    start: number,
    majorType: number,
    declared: number | bigint,
    minBytesPerElement: number,
  ): number {
    const remaining = this.input.length - this.offset;
    if (typeof declared === 'bigint' || declared * minBytesPerElement > remaining) {
      throw lengthBeyondInput(start, majorType, declared, remaining);
    }
    return declared;
  }

  private need(start: number, count: number): void {
    const remaining = this.input.length - this.offset;
    if (count > remaining) throw truncatedItem(start, count, remaining);
  }

  /** Checks the depth limit before descending into a container at nesting level `depth`. */
  private enterContainer(start: number, depth: number): void {
    if (depth >= this.maxDepth) throw tooDeep(start, this.maxDepth);
  }

  private readText(start: number, length: number): string {
    const input = this.input;
    const contentStart = this.offset;
    const end = contentStart + length;
    this.offset = end;
    if (length <= MAX_HAND_DECODED_TEXT) {
      let text = '';
      let i = contentStart;
      for (; i < end; i++) {
        const byte = input[i] ?? 0;
        if (byte >= 0x80) break;
        text += String.fromCharCode(byte);
      }
      if (i === end) return text;
    }
    try {
      return utf8Decoder.decode(input.subarray(contentStart, end));
    } catch (error) {
      throw invalidUtf8(start, length, error);
    }
  }

  /** `depth` is the map's own nesting level, which its values inherit as enclosing containers. */
  private readMapEntries(count: number, depth: number): Map<CborKey, CborValue> {
    const map = new Map<CborKey, CborValue>();
    let previousKeyStart = -1;
    let previousKeyEnd = -1;
    for (let i = 0; i < count; i++) {
      const keyStart = this.offset;
      const key = this.readKey();
      const keyEnd = this.offset;
      if (previousKeyStart >= 0) {
        // The input is already in deterministic form, so a key's bytes are its encoding.
        const order = compareByteRanges(
          this.input,
          previousKeyStart,
          previousKeyEnd,
          this.input,
          keyStart,
          keyEnd,
        );
        if (order >= 0) {
          const keyBytes = this.input.subarray(keyStart, keyEnd);
          if (order === 0) throw duplicateKey(keyStart, keyBytes);
          const previous = this.input.subarray(previousKeyStart, previousKeyEnd);
          throw keysOutOfOrder(keyStart, keyBytes, previous);
        }
      }
      previousKeyStart = keyStart;
      previousKeyEnd = keyEnd;
      map.set(key, this.readItem(depth));
    }
    return map;
  }

  /** Reads a map key: a safe integer, text string or byte string, as the data model requires. */
  private readKey(): CborKey {
    const start = this.offset;
    const majorType = (this.input[start] ?? 0) >>> 5;
    let found = majorTypeName(majorType);
    if (majorType <= MAJOR_TEXT) {
      // Never a container, so no depth to track.
      const key = this.readItem(0);
      if (typeof key !== 'bigint') return key as CborKey;
      found = `integer ${key}, outside the safe range`;
    }
    throw unsupportedKey(start, found);
  }

  private readSimpleOrFloat(start: number, info: number): CborValue {
    if (info < 20) return new CborSimple(info);
    switch (info) {
      case 20:
        return false;
      case 21:
        return true;
      case 22:
        return null;
      case 23:
        return undefined;
      case 24: {
        const value = this.readUint8(start);
        if (value < 32) throw twoByteSimpleBelow32(start, value);
        return new CborSimple(value);
      }
      case 25:
        return this.readFloat16(start);
      case 26:
        return this.readFloat32(start);
      case 27:
        return this.readFloat64(start);
      case 31:
        throw breakCode(start);
      default:
        throw reservedInfo(start, info);
    }
  }

  private readFloat16(start: number): CborFloat {
    this.need(start, 2);
    const bits = this.view.getUint16(this.offset);
    this.offset += 2;
    const value = float16BitsToNumber(bits);
    if (Number.isNaN(value) && bits !== FLOAT16_CANONICAL_NAN) throw nonCanonicalNaN(start);
    return new CborFloat(value);
  }

  private readFloat32(start: number): CborFloat {
    this.need(start, 4);
    const value = this.view.getFloat32(this.offset);
    this.offset += 4;
    if (Number.isNaN(value)) throw nonCanonicalNaN(start);
    if (exactFloat16Bits(value) !== undefined) throw longerFloatThanNeeded(start, value, 'half');
    return new CborFloat(value);
  }

  private readFloat64(start: number): CborFloat {
    this.need(start, 8);
    const value = this.view.getFloat64(this.offset);
    this.offset += 8;
    if (Number.isNaN(value)) throw nonCanonicalNaN(start);
    if (Math.fround(value) === value) {
      const shorter = exactFloat16Bits(value) === undefined ? 'single' : 'half';
      throw longerFloatThanNeeded(start, value, shorter);
    }
    return new CborFloat(value);
  }
}
