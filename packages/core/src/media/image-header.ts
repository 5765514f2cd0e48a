import { MediaError } from './media-errors.ts';

/** An image's format and size as its header declares them, read without decoding pixels. */
export interface ImageHeader {
  readonly mediaType: 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp';
  readonly width: number;
  readonly height: number;
}

/** Bounds on an image a device decodes (the sender, to make a thumbnail). */
export const ImageLimits = {
  /** Longest side decoded. */
  maxSide: 16_384,
  /** Pixels decoded (width × height): 40 MP is 160 MB of RGBA. */
  maxPixels: 40_000_000,
} as const;

/**
 * The format and dimensions an image's header declares, read from its first bytes (a JPEG's
 * frame header may follow large metadata: give enough, e.g. the first 256 KiB). Undefined for
 * bytes that are none of the formats; a MediaError (IMAGE_INVALID) for a truncated or
 * malformed header of one of them.
 */
export function imageHeader(bytes: Uint8Array): ImageHeader | undefined {
  const r = new Reader(bytes);
  if (r.startsWith(0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) {
    if (r.ascii(12, 4) !== 'IHDR') throw invalid('a PNG whose first chunk is not IHDR');
    return sized('image/png', r.u32be(16), r.u32be(20));
  }
  if (r.startsWith(0, [0xff, 0xd8, 0xff])) return jpeg(r);
  const magic = r.ascii(0, 6);
  if (magic === 'GIF87a' || magic === 'GIF89a') return sized('image/gif', r.u16le(6), r.u16le(8));
  if (r.ascii(0, 4) === 'RIFF' && r.ascii(8, 4) === 'WEBP') return webp(r);
  return undefined;
}

/**
 * The header of an image to decode, refused (IMAGE_TOO_LARGE) when its declared size is over
 * `limits`: a few bytes can declare a 65535 × 65535 image whose pixels would fill the memory.
 */
export function checkedImageHeader(
  bytes: Uint8Array,
  limits: { readonly maxSide: number; readonly maxPixels: number } = ImageLimits,
): ImageHeader {
  const header = imageHeader(bytes);
  if (header === undefined)
    throw new MediaError('IMAGE_UNSUPPORTED', 'not a PNG, JPEG, GIF or WebP image');
  const { width, height } = header;
  if (width > limits.maxSide || height > limits.maxSide || width * height > limits.maxPixels) {
    throw new MediaError(
      'IMAGE_TOO_LARGE',
      `a ${width} × ${height} image is over the limit (${limits.maxSide} px a side, ${limits.maxPixels} pixels)`,
    );
  }
  return header;
}

function sized(mediaType: ImageHeader['mediaType'], width: number, height: number): ImageHeader {
  if (width < 1 || height < 1) throw invalid(`a ${mediaType} of ${width} × ${height} pixels`);
  return { mediaType, width, height };
}

/** Start-of-frame markers (SOF0..SOF15 less DHT, JPG and DAC), which carry the size. */
const SOF = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

function jpeg(r: Reader): ImageHeader {
  let at = 2;
  for (;;) {
    if (r.u8(at) !== 0xff) throw invalid(`no JPEG marker at byte ${at}`);
    while (r.u8(at) === 0xff) at++; // fill bytes
    const marker = r.u8(at++);
    if (marker === 0xd9 || marker === 0xda) throw invalid('a JPEG without a frame header');
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) continue; // no length
    const length = r.u16be(at);
    if (length < 2) throw invalid('a JPEG segment shorter than its length field');
    if (SOF.has(marker)) return sized('image/jpeg', r.u16be(at + 5), r.u16be(at + 3));
    at += length;
  }
}

function webp(r: Reader): ImageHeader {
  const chunk = r.ascii(12, 4);
  if (chunk === 'VP8 ') {
    if (!r.startsWith(23, [0x9d, 0x01, 0x2a])) throw invalid('a VP8 frame without its start code');
    return sized('image/webp', r.u16le(26) & 0x3fff, r.u16le(28) & 0x3fff);
  }
  if (chunk === 'VP8L') {
    if (r.u8(20) !== 0x2f) throw invalid('a VP8L stream without its signature');
    const bits = r.u32le(21);
    return sized('image/webp', (bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
  }
  if (chunk === 'VP8X') return sized('image/webp', r.u24le(24) + 1, r.u24le(27) + 1);
  throw invalid(`a WebP whose first chunk is "${chunk}"`);
}

function invalid(why: string): MediaError {
  return new MediaError('IMAGE_INVALID', `malformed image header: ${why}`);
}

/** Bounds-checked reads: running off the end is a malformed (truncated) header. */
class Reader {
  readonly #b: Uint8Array;

  constructor(bytes: Uint8Array) {
    this.#b = bytes;
  }

  u8(at: number): number {
    const v = this.#b[at];
    if (v === undefined) throw invalid('it ends early');
    return v;
  }

  u16be(at: number): number {
    return (this.u8(at) << 8) | this.u8(at + 1);
  }

  u16le(at: number): number {
    return this.u8(at) | (this.u8(at + 1) << 8);
  }

  u24le(at: number): number {
    return this.u16le(at) | (this.u8(at + 2) << 16);
  }

  u32be(at: number): number {
    return this.u16be(at) * 0x10000 + this.u16be(at + 2);
  }

  u32le(at: number): number {
    return this.u16le(at) + this.u16le(at + 2) * 0x10000;
  }

  startsWith(at: number, bytes: readonly number[]): boolean {
    return bytes.every((b, i) => this.#b[at + i] === b);
  }

  ascii(at: number, length: number): string {
    if (at + length > this.#b.length) return '';
    return String.fromCharCode(...this.#b.subarray(at, at + length));
  }
}
