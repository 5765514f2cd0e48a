import { KithError } from '../errors.ts';

/** Why a preview, an image or an audio file was refused. */
export type MediaErrorCode =
  /** A thumbnail or preview part over its size or dimension limit. */
  | 'PREVIEW_TOO_LARGE'
  /** A preview part that breaks its format: bad CBOR, a field out of range, a mislabelled thumbnail. */
  | 'PREVIEW_INVALID'
  /** An image whose declared dimensions are over the limit (a decompression bomb, or just too big). */
  | 'IMAGE_TOO_LARGE'
  /** Image bytes that are not the image they claim to be, truncated or malformed. */
  | 'IMAGE_INVALID'
  /** An image format this device does not decode. */
  | 'IMAGE_UNSUPPORTED'
  /** Audio that is not a well-formed Ogg Opus stream. */
  | 'AUDIO_INVALID'
  /** A file whose bytes are not of the type it was declared (or asked) to be. */
  | 'MEDIA_TYPE_MISMATCH';

/** A refused preview, image or audio file; `code` says why. */
export class MediaError extends KithError<MediaErrorCode> {
  override readonly name = 'MediaError';
}
