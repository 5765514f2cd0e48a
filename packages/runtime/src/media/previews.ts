import {
  checkedThumbnail,
  MediaError,
  oggOpusSummary,
  PreviewLimits,
  readMediaPreview,
  sniffMediaType,
  type MediaPreview,
  type MimiContent,
  type Thumbnail,
} from '@kith/core';
import { encode as blurhash } from 'blurhash';
import { shrinkImage, type ImageCodec, type RgbaImage } from './image-codec.ts';

/** Longest side of the thumbnails this device makes (receivers accept up to 320). */
const THUMBNAIL_SIDE = 160;
/** JPEG qualities tried, best first, until the thumbnail fits its byte limit. */
const QUALITIES = [70, 50, 35, 20];

/**
 * The preview of a picture the user sends: its size, a BlurHash and a JPEG thumbnail of at
 * most 160 px a side and `PreviewLimits.maxThumbnailBytes`. A MediaError when the picture
 * does not decode (the file may still be sent, without a preview).
 */
export function imagePreview(codec: ImageCodec, bytes: Uint8Array): MediaPreview {
  const image = codec.decode(bytes);
  const small = shrinkImage(image, 32);
  return {
    width: image.width,
    height: image.height,
    placeholder: blurhash(small.data, small.width, small.height, 4, 3),
    thumbnail: thumbnailOf(codec, shrinkImage(image, THUMBNAIL_SIDE)),
  };
}

function thumbnailOf(codec: ImageCodec, image: RgbaImage): Thumbnail {
  let side = Math.max(image.width, image.height);
  for (;;) {
    const scaled = shrinkImage(image, side);
    for (const quality of QUALITIES) {
      const bytes = codec.encodeJpeg(scaled, quality);
      if (bytes.length <= PreviewLimits.maxThumbnailBytes)
        return checkedThumbnail('image/jpeg', bytes);
    }
    if (side <= 16) throw new MediaError('PREVIEW_TOO_LARGE', 'no thumbnail fits the limit');
    side = Math.floor(side / 2);
  }
}

/**
 * The preview of a voice message (an Ogg Opus file): its duration and waveform, marked as
 * voice. A MediaError (AUDIO_INVALID) when the file is not Ogg Opus.
 */
export function voicePreview(bytes: Uint8Array): MediaPreview {
  if (sniffMediaType(bytes) !== 'audio/ogg') {
    throw new MediaError('MEDIA_TYPE_MISMATCH', 'a voice message is an Ogg Opus file');
  }
  const { durationMs, waveform } = oggOpusSummary(bytes);
  return { voice: true, durationMs, waveform };
}

/** A received message's preview, or why it was refused (the file is then shown without one). */
export type ReceivedPreview =
  | { readonly ok: true; readonly preview: MediaPreview | undefined }
  | { readonly ok: false; readonly error: MediaError };

/** Reads a received message's preview, every limit checked; never throws for bad input. */
export function receivedPreview(content: MimiContent): ReceivedPreview {
  try {
    return { ok: true, preview: readMediaPreview(content) };
  } catch (error) {
    if (error instanceof MediaError) return { ok: false, error };
    throw error;
  }
}
