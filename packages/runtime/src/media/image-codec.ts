import { checkedImageHeader, ImageLimits, MediaError } from '@kith/core';
import { convertIndexedToRgb, decode as decodePng, encode as encodePng } from 'fast-png';
import jpeg from 'jpeg-js';

/** Pixels of a decoded image: 8-bit RGBA, row by row. */
export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8ClampedArray;
}

/**
 * How a runtime decodes and encodes images (a port: the pure-JS `PortableImageCodec` works
 * everywhere; a browser may give one over canvas). A decoder is handed untrusted bytes: it
 * must refuse with a MediaError, never crash or exhaust memory.
 */
export interface ImageCodec {
  /** Decodes a PNG or JPEG of at most `ImageLimits` (checked on its header before any pixel). */
  decode(bytes: Uint8Array): RgbaImage;
  /** Encodes pixels as a JPEG of `quality` 1..100. */
  encodeJpeg(image: RgbaImage, quality: number): Uint8Array;
  /** Encodes pixels as a PNG. */
  encodePng(image: RgbaImage): Uint8Array;
}

/** JPEG and PNG in plain JavaScript (jpeg-js, fast-png), for Node and browsers alike. */
export class PortableImageCodec implements ImageCodec {
  readonly #limits: { readonly maxSide: number; readonly maxPixels: number };

  constructor(limits: { readonly maxSide: number; readonly maxPixels: number } = ImageLimits) {
    this.#limits = limits;
  }

  decode(bytes: Uint8Array): RgbaImage {
    // The header first: a few bytes may declare a picture of billions of pixels.
    const header = checkedImageHeader(bytes, this.#limits);
    let image: RgbaImage;
    try {
      if (header.mediaType === 'image/jpeg') image = this.#jpeg(bytes);
      else if (header.mediaType === 'image/png') image = rgbaOfPng(decodePng(bytes));
      else throw new MediaError('IMAGE_UNSUPPORTED', `${header.mediaType} is not decoded here`);
    } catch (cause) {
      if (cause instanceof MediaError) throw cause;
      throw new MediaError('IMAGE_INVALID', `the ${header.mediaType} does not decode`, { cause });
    }
    if (image.width !== header.width || image.height !== header.height) {
      throw new MediaError('IMAGE_INVALID', 'the decoded size is not the declared one');
    }
    return image;
  }

  encodeJpeg(image: RgbaImage, quality: number): Uint8Array {
    try {
      const out = jpeg.encode(
        { width: image.width, height: image.height, data: image.data },
        quality,
      );
      // Typed as a Node Buffer by jpeg-js: a Uint8Array (or, bundled for a browser, a failure).
      const data = (out as unknown as { data: Uint8Array }).data;
      return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    } catch (cause) {
      // jpeg-js returns a Node Buffer when bundled as CommonJS: a browser without one gets no
      // thumbnail (the file still goes) unless its runtime gives a canvas codec.
      throw new MediaError('IMAGE_UNSUPPORTED', 'no JPEG encoder here', { cause });
    }
  }

  encodePng(image: RgbaImage): Uint8Array {
    return encodePng({
      width: image.width,
      height: image.height,
      data: image.data,
      channels: 4,
      depth: 8,
    });
  }

  #jpeg(bytes: Uint8Array): RgbaImage {
    const maxPixels = this.#limits.maxPixels;
    const decoded = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: true,
      maxResolutionInMP: maxPixels / 1_000_000,
      // RGBA output plus the decoder's component planes.
      maxMemoryUsageInMB: Math.ceil((maxPixels * 8) / 1024 / 1024),
    });
    return {
      width: decoded.width,
      height: decoded.height,
      data: new Uint8ClampedArray(
        decoded.data.buffer,
        decoded.data.byteOffset,
        decoded.data.byteLength,
      ),
    };
  }
}

function rgbaOfPng(png: ReturnType<typeof decodePng>): RgbaImage {
  const { width, height } = png;
  const pixels = width * height;
  let data = png.data;
  let channels = png.channels;
  if (png.palette !== undefined) {
    data = convertIndexedToRgb(png);
    channels = png.palette[0]?.length ?? 3;
  } else if (png.depth < 8) {
    throw new MediaError('IMAGE_UNSUPPORTED', `${png.depth}-bit PNG samples`);
  }
  const shift = data instanceof Uint16Array ? 8 : 0;
  if (data.length < pixels * channels) throw new MediaError('IMAGE_INVALID', 'the PNG is short');
  const out = new Uint8ClampedArray(pixels * 4);
  for (let i = 0; i < pixels; i++) {
    const at = i * channels;
    const v = (k: number) => (data[at + k] ?? 0) >> shift;
    const gray = channels <= 2;
    out[i * 4] = v(0);
    out[i * 4 + 1] = gray ? v(0) : v(1);
    out[i * 4 + 2] = gray ? v(0) : v(2);
    out[i * 4 + 3] = channels === 2 ? v(1) : channels === 4 ? v(3) : 255;
  }
  return { width, height, data: out };
}

/** `image` shrunk (never grown) to fit `side` × `side`, each pixel the mean of those it covers. */
export function shrinkImage(image: RgbaImage, side: number): RgbaImage {
  const scale = Math.min(1, side / Math.max(image.width, image.height));
  const width = Math.max(1, Math.round(image.width * scale));
  const height = Math.max(1, Math.round(image.height * scale));
  if (width === image.width && height === image.height) return image;
  const sums = new Float64Array(width * height * 4);
  const counts = new Uint32Array(width * height);
  for (let y = 0; y < image.height; y++) {
    const ty = Math.min(height - 1, Math.floor((y * height) / image.height));
    for (let x = 0; x < image.width; x++) {
      const t = ty * width + Math.min(width - 1, Math.floor((x * width) / image.width));
      const s = (y * image.width + x) * 4;
      for (let c = 0; c < 4; c++)
        sums[t * 4 + c] = (sums[t * 4 + c] ?? 0) + (image.data[s + c] ?? 0);
      counts[t] = (counts[t] ?? 0) + 1;
    }
  }
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < data.length; i++) data[i] = (sums[i] ?? 0) / Math.max(1, counts[i >> 2] ?? 1);
  return { width, height, data };
}
