import { CborError } from './errors.ts';
import { MAJOR_TEXT, headLength } from './major-type.ts';

const INITIAL_CAPACITY = 1024;
/** Strings at least this long go through TextEncoder.encodeInto, whose per-call cost then pays off. */
const NATIVE_UTF8_MIN_LENGTH = 64;
const TWO_POW_32 = 0x1_0000_0000;
const MAX_SAFE_BIGINT = BigInt(Number.MAX_SAFE_INTEGER);

// Matches an unpaired UTF-16 surrogate, which UTF-8 cannot represent.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const textEncoder = new TextEncoder();

/** Growable output buffer for CBOR; capacity doubles, so appending n bytes costs amortised O(n). */
export class CborWriter {
  bytes = new Uint8Array(INITIAL_CAPACITY);
  /** Bytes written so far; `bytes` beyond this is scratch. */
  length = 0;
  private view = new DataView(this.bytes.buffer);

  /** Makes room for `count` more bytes after `length`. */
  reserve(count: number): void {
    const needed = this.length + count;
    if (needed <= this.bytes.length) return;
    let capacity = this.bytes.length * 2;
    while (capacity < needed) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
    this.view = new DataView(grown.buffer);
  }

  /** A copy of the bytes written, so the buffer itself can be reused. */
  toBytes(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }

  writeByte(byte: number): void {
    this.reserve(1);
    this.bytes[this.length++] = byte;
  }

  writeBytes(source: Uint8Array): void {
    this.reserve(source.length);
    this.bytes.set(source, this.length);
    this.length += source.length;
  }

  /** Writes a head in its shortest form; `argument` is an integer in 0 .. 2^53 - 1. */
  writeHead(majorType: number, argument: number): void {
    this.reserve(9);
    const bytes = this.bytes;
    const at = this.length;
    const initial = majorType << 5;
    if (argument < 24) {
      bytes[at] = initial | argument;
      this.length = at + 1;
    } else if (argument < 0x100) {
      bytes[at] = initial | 24;
      bytes[at + 1] = argument;
      this.length = at + 2;
    } else if (argument < 0x10000) {
      bytes[at] = initial | 25;
      bytes[at + 1] = argument >>> 8;
      bytes[at + 2] = argument & 0xff;
      this.length = at + 3;
    } else if (argument < TWO_POW_32) {
      bytes[at] = initial | 26;
      this.view.setUint32(at + 1, argument);
      this.length = at + 5;
    } else {
      bytes[at] = initial | 27;
      this.view.setUint32(at + 1, Math.floor(argument / TWO_POW_32));
      this.view.setUint32(at + 5, argument >>> 0);
      this.length = at + 9;
    }
  }

  /** Writes a head in its shortest form; `argument` is an integer in 0 .. 2^64 - 1. */
  writeBigHead(majorType: number, argument: bigint): void {
    if (argument <= MAX_SAFE_BIGINT) {
      this.writeHead(majorType, Number(argument));
      return;
    }
    this.reserve(9);
    this.bytes[this.length] = (majorType << 5) | 27;
    this.view.setBigUint64(this.length + 1, argument);
    this.length += 9;
  }

  writeUint16(value: number): void {
    this.reserve(2);
    this.view.setUint16(this.length, value);
    this.length += 2;
  }

  writeFloat32(value: number): void {
    this.reserve(4);
    this.view.setFloat32(this.length, value);
    this.length += 4;
  }

  writeFloat64(value: number): void {
    this.reserve(8);
    this.view.setFloat64(this.length, value);
    this.length += 8;
  }

  /** Writes a text string (major type 3); throws CBOR_INVALID_VALUE for a lone surrogate. */
  writeText(text: string): void {
    const headStart = this.length;
    if (text.length < NATIVE_UTF8_MIN_LENGTH && this.tryWriteAscii(text)) return;
    // UTF-8 needs at most 3 bytes per UTF-16 code unit: leave room for the head of that worst
    // case, encode, then write the real head and close the gap if it turned out shorter.
    const maxByteLength = text.length * 3;
    const reservedHeadLength = headLength(maxByteLength);
    // The extra 9 bytes keep writeHead below from growing (and so dropping) the encoded content.
    this.reserve(9 + maxByteLength);
    const contentStart = headStart + reservedHeadLength;
    const contentEnd =
      text.length < NATIVE_UTF8_MIN_LENGTH
        ? this.encodeUtf8(text, contentStart)
        : this.encodeUtf8Native(text, contentStart, maxByteLength);
    const byteLength = contentEnd - contentStart;
    const actualHeadLength = headLength(byteLength);
    if (actualHeadLength !== reservedHeadLength) {
      this.bytes.copyWithin(headStart + actualHeadLength, contentStart, contentEnd);
    }
    this.length = headStart;
    this.writeHead(MAJOR_TEXT, byteLength);
    this.length += byteLength;
  }

  /** Writes `text` as head and bytes if it is all ASCII; otherwise writes nothing and returns false. */
  private tryWriteAscii(text: string): boolean {
    const headStart = this.length;
    this.writeHead(MAJOR_TEXT, text.length);
    this.reserve(text.length);
    const bytes = this.bytes;
    let at = this.length;
    for (let i = 0; i < text.length; i++) {
      const unit = text.charCodeAt(i);
      if (unit >= 0x80) {
        this.length = headStart;
        return false;
      }
      bytes[at++] = unit;
    }
    this.length = at;
    return true;
  }

  /** Hand-written UTF-8 encoder (faster than a TextEncoder call for short strings); returns the end offset. */
  private encodeUtf8(text: string, start: number): number {
    const bytes = this.bytes;
    let at = start;
    for (let i = 0; i < text.length; i++) {
      const unit = text.charCodeAt(i);
      if (unit < 0x80) {
        bytes[at++] = unit;
      } else if (unit < 0x800) {
        bytes[at++] = 0xc0 | (unit >>> 6);
        bytes[at++] = 0x80 | (unit & 0x3f);
      } else if ((unit & 0xf800) !== 0xd800) {
        bytes[at++] = 0xe0 | (unit >>> 12);
        bytes[at++] = 0x80 | ((unit >>> 6) & 0x3f);
        bytes[at++] = 0x80 | (unit & 0x3f);
      } else {
        const low = text.charCodeAt(i + 1); // NaN past the end, which fails the test below
        if ((unit & 0xfc00) !== 0xd800 || (low & 0xfc00) !== 0xdc00) throw loneSurrogate(text, i);
        const codePoint = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
        bytes[at++] = 0xf0 | (codePoint >>> 18);
        bytes[at++] = 0x80 | ((codePoint >>> 12) & 0x3f);
        bytes[at++] = 0x80 | ((codePoint >>> 6) & 0x3f);
        bytes[at++] = 0x80 | (codePoint & 0x3f);
        i++;
      }
    }
    return at;
  }

  private encodeUtf8Native(text: string, start: number, maxByteLength: number): number {
    // TextEncoder would silently replace a lone surrogate with U+FFFD, so check first.
    const match = LONE_SURROGATE.exec(text);
    if (match !== null) throw loneSurrogate(text, match.index);
    const { written } = textEncoder.encodeInto(
      text,
      this.bytes.subarray(start, start + maxByteLength),
    );
    return start + written;
  }
}

function loneSurrogate(text: string, index: number): CborError {
  const unit = text.charCodeAt(index).toString(16).toUpperCase();
  return new CborError(
    'CBOR_INVALID_VALUE',
    `Cannot encode a string with a lone surrogate U+${unit} at index ${index}: CBOR text must be valid UTF-8`,
  );
}
