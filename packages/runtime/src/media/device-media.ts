import {
  BlobError,
  Disposition,
  MediaError,
  sniffMediaType,
  type BlobId,
  type ByteSource,
  type KithClient,
  type MediaPreview,
  type MessageId,
  type RoomId,
} from '@kith/core';
import { DeviceAvatars } from './avatars.ts';
import type { BlobTransfers } from './blob-transfers.ts';
import { PortableImageCodec, type ImageCodec } from './image-codec.ts';
import { imagePreview, receivedPreview, voicePreview, type ReceivedPreview } from './previews.ts';

/** A file to send: its bytes in memory, or a stream with its size and first bytes. */
export type OutgoingFile =
  | Uint8Array
  | {
      readonly size: number;
      /** The whole file if it is small enough to preview (at most `maxPreviewBytes`), else its start. */
      readonly head: Uint8Array;
      readonly source: ByteSource;
    };

/** How `DeviceMedia.send` sends a file. */
export interface MediaSendOptions {
  readonly filename?: string;
  /** The type to declare; by default the one the file's first bytes show, else octet-stream. */
  readonly contentType?: string;
  readonly description?: string;
  /** Markdown shown with the file. */
  readonly caption?: string;
  /** A voice message: the file must be Ogg Opus; its duration and waveform are sent. */
  readonly voice?: boolean;
  /** Hears the bytes sealed so far. */
  readonly onProgress?: (bytes: number, total: number) => void;
  /** Stops the send while sealing: nothing is sent, nothing kept (`BLOB_CANCELLED`). */
  readonly signal?: AbortSignal;
  /** Plaintext bytes per record (tests). */
  readonly recordSize?: number;
}

/** Bounds on what a device sends. */
export interface MediaSendLimits {
  /** Largest file (default 2 GiB, what receivers accept by default). */
  readonly maxBytes: number;
  /** Largest picture decoded for a thumbnail (default 32 MiB); larger ones go without. */
  readonly maxPreviewBytes: number;
}

const DEFAULTS: MediaSendLimits = { maxBytes: 2 * 1024 ** 3, maxPreviewBytes: 32 * 1024 ** 2 };

/** A sent file: its message, its blob, and its preview (or why none was made). */
export interface SentMedia {
  readonly messageId: MessageId;
  readonly blobId: BlobId;
  readonly contentType: string;
  readonly preview: MediaPreview | undefined;
  /** Why a picture went without a preview (it did not decode, or was too large). */
  readonly previewError?: MediaError;
}

/**
 * Files as people send them: a picture with its thumbnail and BlurHash, a voice message with
 * its duration and waveform, any file with its size checked before it is read, and cancelling.
 * Built on `BlobTransfers` (sealing, storing, sending, downloading).
 */
export class DeviceMedia {
  /** User and room avatars carried as blobs. */
  readonly avatars: DeviceAvatars;
  readonly #blobs: BlobTransfers;
  readonly #codec: ImageCodec;
  readonly #limits: MediaSendLimits;

  constructor(
    client: KithClient,
    blobs: BlobTransfers,
    codec?: ImageCodec,
    limits: Partial<MediaSendLimits> = {},
  ) {
    this.#blobs = blobs;
    this.#codec = codec ?? new PortableImageCodec();
    this.avatars = new DeviceAvatars(client, blobs, this.#codec);
    this.#limits = { ...DEFAULTS, ...limits };
  }

  /** Seals, keeps and sends a file with the preview its type allows. */
  async send(
    roomId: RoomId,
    file: OutgoingFile,
    options: MediaSendOptions = {},
  ): Promise<SentMedia> {
    const { size, head, source } =
      file instanceof Uint8Array ? { size: file.length, head: file, source: file } : file;
    if (size > this.#limits.maxBytes) {
      throw new BlobError(
        'BLOB_TOO_LARGE',
        `the file is ${size} bytes, more than the ${this.#limits.maxBytes} a file may have`,
      );
    }
    const sniffed = sniffMediaType(head);
    const whole = head.length === size;
    let preview: MediaPreview | undefined;
    let previewError: MediaError | undefined;
    if (options.voice === true) {
      if (!whole)
        throw new MediaError('AUDIO_INVALID', 'a voice message this large is not summarised');
      preview = voicePreview(head); // a voice message needs its preview: errors go to the caller
    } else if ((sniffed === 'image/png' || sniffed === 'image/jpeg') && whole) {
      if (size <= this.#limits.maxPreviewBytes) {
        try {
          preview = imagePreview(this.#codec, head);
        } catch (error) {
          if (!(error instanceof MediaError)) throw error;
          previewError = error;
        }
      } else
        previewError = new MediaError('IMAGE_TOO_LARGE', 'the picture is too large to preview');
    }
    const contentType =
      options.contentType ??
      (options.voice === true ? 'audio/ogg; codecs=opus' : sniffed) ??
      'application/octet-stream';
    const sent = await this.#blobs.sendFile(roomId, cancellable(source, options.signal), {
      contentType,
      // MIMI has no "voice" type: a voice message is audio to play in place, not to download.
      ...(options.voice === true ? { disposition: Disposition.inline } : {}),
      ...(options.filename === undefined ? {} : { filename: options.filename }),
      ...(options.description === undefined ? {} : { description: options.description }),
      ...(options.caption === undefined ? {} : { caption: options.caption }),
      ...(options.recordSize === undefined ? {} : { recordSize: options.recordSize }),
      ...(preview === undefined ? {} : { preview }),
      onProgress: (bytes) => options.onProgress?.(bytes, size),
    });
    return {
      ...sent,
      contentType,
      preview,
      ...(previewError === undefined ? {} : { previewError }),
    };
  }

  /** A received message's preview, checked (see `receivedPreview`). */
  previewOf(roomId: RoomId, messageId: MessageId): ReceivedPreview {
    const message = this.#blobs.messageOf(roomId, messageId);
    return receivedPreview(message.content);
  }
}

/** The source, stopping with BLOB_CANCELLED at the next piece once `signal` aborts. */
async function* cancellable(
  source: ByteSource,
  signal: AbortSignal | undefined,
): AsyncGenerator<Uint8Array> {
  const check = () => {
    if (signal?.aborted === true) throw new BlobError('BLOB_CANCELLED', 'the send was cancelled');
  };
  check();
  if (source instanceof Uint8Array) {
    // Pieces of a record's size at most, so a cancel is heard while a large buffer is sealed.
    for (let at = 0; at < source.length; at += 256 * 1024) {
      yield source.subarray(at, at + 256 * 1024);
      check();
    }
    if (source.length === 0) yield source;
    return;
  }
  for await (const piece of source) {
    yield piece;
    check();
  }
}
