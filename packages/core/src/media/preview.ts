import { decodeCbor } from '../cbor/decode.ts';
import { encodeCbor } from '../cbor/encode.ts';
import type { CborValue } from '../cbor/value.ts';
import { Disposition, type MimiContent, type NestedPart } from '../content/model.ts';
import { partsInIndexOrder } from '../content/parts.ts';
import { imageHeader } from './image-header.ts';
import { MediaError } from './media-errors.ts';
import { sniffMediaType } from './sniff.ts';

/** A small image the sender made of a picture or a video's first frame, sent in the message. */
export interface Thumbnail {
  readonly mediaType: 'image/jpeg' | 'image/png';
  readonly bytes: Uint8Array;
  /** From the thumbnail's own header (a receiver never trusts a declared size). */
  readonly width: number;
  readonly height: number;
}

/**
 * What a receiver shows of a file before downloading it, made by the sender: the picture's
 * size, a BlurHash placeholder, a thumbnail; for audio its duration and a loudness summary,
 * and whether it is a voice message rather than a file.
 */
export interface MediaPreview {
  /** Full-size picture or video width and height, as the sender's device read them. */
  readonly width?: number;
  readonly height?: number;
  /** A BlurHash (https://blurha.sh) of the picture: a colour placeholder of a few dozen characters. */
  readonly placeholder?: string;
  /** Playing time of audio or video, in milliseconds. */
  readonly durationMs?: number;
  /** Loudness over the playing time, evenly spaced samples 0..255 (a voice message's waveform). */
  readonly waveform?: Uint8Array;
  /** A voice message (recorded to be heard in the conversation), not an audio file. */
  readonly voice?: boolean;
  readonly thumbnail?: Thumbnail;
}

/** Bounds on what a preview may carry, the same on every device. */
export const PreviewLimits = {
  /** Thumbnail bytes (the whole message body is at most 64 KiB). */
  maxThumbnailBytes: 16 * 1024,
  /** Longest side of a thumbnail, in pixels. */
  maxThumbnailSide: 320,
  /** The encoded media-info part. */
  maxInfoBytes: 1024,
  /** Waveform samples. */
  maxWaveformSamples: 256,
  /** Full-size dimensions a preview may state. */
  maxSide: 65_535,
  /** Playing time: a day. */
  maxDurationMs: 24 * 3600 * 1000,
  /** BlurHash components per axis (the format's own bound). */
  maxPlaceholderComponents: 9,
} as const;

/** Media type of the part that carries a preview's fields. */
export const MEDIA_INFO_TYPE = 'application/vnd.kith.media-info+cbor';

const Key = { width: 1, height: 2, placeholder: 3, durationMs: 4, waveform: 5, voice: 6 } as const;

/**
 * The preview's parts for a message body: the fields as a CBOR map in a part of type
 * `application/vnd.kith.media-info+cbor`, and the thumbnail as an image part, both with the
 * MIMI `preview` disposition (a client that does not know the info part skips it; one that shows
 * images can show the thumbnail). Refuses (MediaError) a preview a receiver would refuse.
 */
export function previewParts(preview: MediaPreview): NestedPart[] {
  checkFields(preview);
  const map = new Map<number, CborValue>();
  if (preview.width !== undefined) map.set(Key.width, preview.width);
  if (preview.height !== undefined) map.set(Key.height, preview.height);
  if (preview.placeholder !== undefined) map.set(Key.placeholder, preview.placeholder);
  if (preview.durationMs !== undefined) map.set(Key.durationMs, preview.durationMs);
  if (preview.waveform !== undefined) map.set(Key.waveform, preview.waveform);
  if (preview.voice === true) map.set(Key.voice, true);
  const parts: NestedPart[] = [];
  if (map.size > 0) parts.push(single(MEDIA_INFO_TYPE, encodeCbor(map)));
  if (preview.thumbnail !== undefined) {
    const thumb = checkedThumbnail(preview.thumbnail.mediaType, preview.thumbnail.bytes);
    parts.push(single(thumb.mediaType, thumb.bytes));
  }
  return parts;
}

/**
 * The preview a message carries (undefined when none), every field checked: a MediaError
 * (PREVIEW_TOO_LARGE, PREVIEW_INVALID) when a part breaks the limits or its format. A receiver
 * shows the file without a preview then; the message itself stays.
 */
export function readMediaPreview(content: MimiContent): MediaPreview | undefined {
  let fields: MediaPreview | undefined;
  let thumbnail: Thumbnail | undefined;
  for (const part of partsInIndexOrder(content.body)) {
    if (part.kind !== 'single' || part.disposition !== Disposition.preview) continue;
    const type = part.contentType.split(';')[0]?.trim().toLowerCase();
    if (type === MEDIA_INFO_TYPE && fields === undefined) fields = decodeInfo(part.content);
    else if ((type === 'image/jpeg' || type === 'image/png') && thumbnail === undefined) {
      thumbnail = checkedThumbnail(type, part.content);
    }
  }
  if (fields === undefined && thumbnail === undefined) return undefined;
  return { ...fields, ...(thumbnail === undefined ? {} : { thumbnail }) };
}

/**
 * A thumbnail checked as a receiver checks it: at most `maxThumbnailBytes`, its bytes of the
 * type it is labelled with, and a header of at most `maxThumbnailSide` a side (its pixels are
 * decoded only after this, so a tiny file declaring a huge image never is).
 */
export function checkedThumbnail(mediaType: string, bytes: Uint8Array): Thumbnail {
  if (bytes.length > PreviewLimits.maxThumbnailBytes) {
    throw new MediaError(
      'PREVIEW_TOO_LARGE',
      `a ${bytes.length}-byte thumbnail (at most ${PreviewLimits.maxThumbnailBytes})`,
    );
  }
  if (
    sniffMediaType(bytes) !== mediaType ||
    (mediaType !== 'image/jpeg' && mediaType !== 'image/png')
  ) {
    throw new MediaError('MEDIA_TYPE_MISMATCH', `a thumbnail labelled ${mediaType} is not one`);
  }
  let header;
  try {
    header = imageHeader(bytes);
  } catch (cause) {
    throw new MediaError('PREVIEW_INVALID', 'the thumbnail header is malformed', { cause });
  }
  if (header === undefined) throw new MediaError('PREVIEW_INVALID', 'the thumbnail is no image');
  const side = PreviewLimits.maxThumbnailSide;
  if (header.width > side || header.height > side) {
    throw new MediaError(
      'PREVIEW_TOO_LARGE',
      `a ${header.width} × ${header.height} thumbnail (at most ${side} a side)`,
    );
  }
  return { mediaType, bytes, width: header.width, height: header.height };
}

function decodeInfo(bytes: Uint8Array): MediaPreview {
  if (bytes.length > PreviewLimits.maxInfoBytes) {
    throw new MediaError('PREVIEW_TOO_LARGE', `a ${bytes.length}-byte media-info part`);
  }
  let value: unknown;
  try {
    value = decodeCbor(bytes, { maxDepth: 1 });
  } catch (cause) {
    throw new MediaError('PREVIEW_INVALID', 'the media-info part is not CBOR', { cause });
  }
  if (!(value instanceof Map)) throw bad('the media-info part is not a map');
  const map = value as Map<unknown, unknown>;
  const preview: {
    -readonly [K in keyof MediaPreview]: MediaPreview[K];
  } = {};
  const int = (key: number) => {
    const v = map.get(key);
    if (v !== undefined && typeof v !== 'number') throw bad(`field ${key} is not an integer`);
    return v;
  };
  const width = int(Key.width);
  const height = int(Key.height);
  const durationMs = int(Key.durationMs);
  const placeholder = map.get(Key.placeholder);
  const waveform = map.get(Key.waveform);
  const voice = map.get(Key.voice);
  if (width !== undefined) preview.width = width;
  if (height !== undefined) preview.height = height;
  if (durationMs !== undefined) preview.durationMs = durationMs;
  if (placeholder !== undefined) {
    if (typeof placeholder !== 'string') throw bad('the placeholder is not text');
    preview.placeholder = placeholder;
  }
  if (waveform !== undefined) {
    if (!(waveform instanceof Uint8Array)) throw bad('the waveform is not bytes');
    preview.waveform = waveform;
  }
  if (voice !== undefined) {
    if (voice !== true) throw bad('the voice flag is not true');
    preview.voice = true;
  }
  checkFields(preview);
  return preview;
}

function checkFields(p: MediaPreview): void {
  const range = (name: string, v: number | undefined, min: number, max: number) => {
    if (v !== undefined && !(Number.isSafeInteger(v) && v >= min && v <= max)) {
      throw bad(`${name} ${v} is not an integer in ${min}..${max}`);
    }
  };
  range('width', p.width, 1, PreviewLimits.maxSide);
  range('height', p.height, 1, PreviewLimits.maxSide);
  range('duration', p.durationMs, 0, PreviewLimits.maxDurationMs);
  if (p.waveform !== undefined && p.waveform.length > PreviewLimits.maxWaveformSamples) {
    throw new MediaError('PREVIEW_TOO_LARGE', `a waveform of ${p.waveform.length} samples`);
  }
  if (p.placeholder !== undefined && !isBlurHash(p.placeholder)) {
    throw bad('the placeholder is not a BlurHash');
  }
}

const BASE83 =
  '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~';
const BASE83_TEXT = /^[0-9A-Za-z#$%*+,\-.:;=?@[\]^_{|}~]+$/;

/** A well-formed BlurHash: base 83, its length what its component counts call for. */
export function isBlurHash(text: string): boolean {
  if (text.length < 6 || !BASE83_TEXT.test(text)) return false;
  const flag = BASE83.indexOf(text.charAt(0));
  const x = (flag % 9) + 1;
  const y = Math.floor(flag / 9) + 1;
  return y <= PreviewLimits.maxPlaceholderComponents && text.length === 4 + 2 * x * y;
}

function single(contentType: string, content: Uint8Array): NestedPart {
  return { kind: 'single', disposition: Disposition.preview, language: '', contentType, content };
}

function bad(why: string): MediaError {
  return new MediaError('PREVIEW_INVALID', `bad preview: ${why}`);
}
