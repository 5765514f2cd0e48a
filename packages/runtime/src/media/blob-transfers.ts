import type { Libp2p, PeerId } from '@libp2p/interface';
import {
  attachmentPart,
  BlobError,
  BlobSealer,
  BlobLimits,
  bytesEqual,
  findAttachment,
  openBlob,
  SNIFF_BYTES,
  trustedMediaType,
  webCryptoAead,
  type AeadFactory,
  type Attachment,
  type BlobId,
  type BlobStore,
  type ByteSource,
  type DeviceId,
  type FileDetails,
  type KithClient,
  type MediaPreview,
  type MessageId,
  type RoomId,
  type TimelineMessage,
} from '@kith/core';
import { RelayBlobs } from '../relay/relay-blobs.ts';
import { BlobDownload, type DownloadOptions } from './blob-download.ts';
import type { BlobUpload } from './blob-upload.ts';
import { BlobJanitor, type BlobRetention } from './blob-retention.ts';
import { serveBlobs } from './blob-wire.ts';

/** What BlobTransfers works with: the device's client, libp2p and blob store, and how to find a room's member devices. */
export interface BlobTransfersParts {
  readonly client: KithClient;
  readonly libp2p: Libp2p;
  readonly store: BlobStore;
  /** Peers of the room's member devices other than this one, `first` (if known) first. */
  readonly peersOf: (roomId: RoomId, first?: DeviceId) => PeerId[];
  /** The room's relays reachable now: uploads go there, downloads ask them after the members. */
  readonly relaysOf?: (roomId: RoomId) => Promise<readonly PeerId[]>;
  readonly aead?: AeadFactory;
  /** Asked to drop a blob no message names any more (default: delete it on the room's relays). */
  readonly retention?: BlobRetention;
  /** Errors of background work (deleting blobs). */
  readonly onError?: (error: unknown) => void;
}

export interface SendFileOptions extends FileDetails {
  /** Markdown shown with the file. */
  readonly caption?: string;
  /** Plaintext bytes per record (default 256 KiB). */
  readonly recordSize?: number;
  /** Hears the plaintext bytes sealed and stored so far, after each record. */
  readonly onProgress?: (bytes: number) => void;
  /** Thumbnail, BlurHash, duration, waveform: sent in the message (see `DeviceMedia`). */
  readonly preview?: MediaPreview;
}

/** How a received file is downloaded: the download options and the largest size accepted. */
export interface ReceiveOptions extends DownloadOptions {
  /** Largest file accepted (default 2 GiB): a larger declared size is refused before fetching. */
  readonly maxBytes?: number;
}

/** A received file read back from this device's store. */
export interface OpenedFile {
  readonly attachment: Attachment;
  /** The declared type if the file's bytes agree, else application/octet-stream. */
  readonly mediaType: string;
  /** The plaintext, record by record, each authenticated before it is given. */
  readonly chunks: AsyncIterable<Uint8Array>;
}

const DEFAULT_MAX_BYTES = 2 * 1024 ** 3;

/**
 * A device's encrypted files: sealing and sending them as MIMI ExternalParts, keeping their
 * ciphertext, serving it to fellow members who name a blob by its hash, and downloading
 * received ones from the members' devices.
 */
export class BlobTransfers {
  readonly store: BlobStore;
  /** The rooms' relay blob stores: uploads, deletes, limits. */
  readonly relays: RelayBlobs;
  readonly #parts: BlobTransfersParts;
  readonly #aead: AeadFactory;
  readonly #downloads = new Map<BlobId, BlobDownload>();
  readonly #uploads = new Set<BlobUpload>();
  readonly #janitor: BlobJanitor;

  constructor(parts: BlobTransfersParts) {
    this.#parts = parts;
    this.store = parts.store;
    this.#aead = parts.aead ?? webCryptoAead;
    this.relays = new RelayBlobs({
      client: parts.client,
      libp2p: parts.libp2p,
      store: parts.store,
      relaysOf: parts.relaysOf ?? (() => Promise.resolve([])),
    });
    // By default a file no message names any more is dropped from the room's relays too.
    const retention = parts.retention ?? {
      drop: async (roomId, id) => {
        await this.relays.delete(roomId, id);
      },
    };
    this.#janitor = new BlobJanitor(
      parts.client,
      parts.store,
      retention,
      parts.onError ?? (() => undefined),
    );
  }

  /**
   * Starts serving this device's blobs over `/kith/blob/1.0.0`, and deleting those no message
   * names any more.
   */
  async start(): Promise<void> {
    await serveBlobs(this.#parts.libp2p, this.store);
    this.#janitor.start();
  }

  /**
   * Seals a file with a fresh key, keeps its ciphertext, and sends the message describing it.
   * The file is read once, record by record. Then `upload` sends the ciphertext to the room's
   * relays, in the background, for members who are offline now.
   */
  async sendFile(
    roomId: RoomId,
    file: ByteSource,
    options: SendFileOptions,
  ): Promise<{ messageId: MessageId; blobId: BlobId; upload: BlobUpload }> {
    const keys = {
      key: crypto.getRandomValues(new Uint8Array(BlobLimits.keyBytes)),
      nonce: crypto.getRandomValues(new Uint8Array(BlobLimits.nonceBytes)),
      recordSize: options.recordSize ?? BlobLimits.defaultRecordSize,
    };
    const sealer = await BlobSealer.create(this.#aead, keys);
    const staged = this.store.stage();
    try {
      let index = 0;
      let bytes = 0;
      for await (const record of sealer.seal(file)) {
        await staged.putRecord(index++, record);
        bytes += record.length - BlobLimits.tagBytes;
        options.onProgress?.(bytes);
      }
      await staged.commit(sealer.result.id, sealer.result.recordCount);
    } catch (error) {
      await staged.abort().catch(() => undefined);
      throw error;
    }
    const { id, size } = sealer.result;
    const part = attachmentPart({ ...keys, id, size }, options);
    const messageId = await this.#parts.client.sendAttachment(
      roomId,
      part,
      options.caption,
      options.preview,
    );
    const upload = this.relays.upload(roomId, { id, size, recordSize: keys.recordSize });
    this.#uploads.add(upload);
    const forget = () => this.#uploads.delete(upload);
    upload.done.then(forget, forget);
    return { messageId, blobId: id, upload };
  }

  /** The file a message carries; a BlobError when it carries none. */
  attachmentOf(roomId: RoomId, messageId: MessageId): Attachment {
    const message = this.#message(roomId, messageId);
    const attachment = findAttachment(message.content);
    if (attachment === undefined) {
      throw new BlobError('BLOB_NOT_KITH_BLOB', 'the message carries no file');
    }
    return attachment;
  }

  /**
   * Fetches a message's file from the room's member devices (its sender's first), then its
   * relays, resuming
   * after the records kept from an earlier attempt. One download per blob at a time: asking
   * again while one runs gives the running one.
   */
  download(roomId: RoomId, messageId: MessageId, options: ReceiveOptions = {}): BlobDownload {
    const attachment = this.attachmentOf(roomId, messageId);
    if (attachment.size > (options.maxBytes ?? DEFAULT_MAX_BYTES)) {
      throw new BlobError(
        'BLOB_TOO_LARGE',
        `the file is ${attachment.size} bytes, more than the ${options.maxBytes ?? DEFAULT_MAX_BYTES} accepted`,
      );
    }
    const sender = this.#message(roomId, messageId).senderDevice;
    return this.downloadBlob(roomId, attachment, sender, options);
  }

  /**
   * Fetches a blob named elsewhere than in a message (an avatar) from the room's member
   * devices, `first` first; as `download` otherwise.
   */
  downloadBlob(
    roomId: RoomId,
    attachment: Attachment,
    first: DeviceId | undefined,
    options: DownloadOptions = {},
  ): BlobDownload {
    const running = this.#downloads.get(attachment.id);
    if (running !== undefined) return running;
    const download = new BlobDownload(
      attachment,
      {
        libp2p: this.#parts.libp2p,
        store: this.store,
        aead: this.#aead,
        peers: this.#parts.peersOf(roomId, first),
        relays: this.relays.relaysOf(roomId).catch(() => []),
      },
      options,
    );
    this.#downloads.set(attachment.id, download);
    const forget = () => this.#downloads.delete(attachment.id);
    download.done.then(forget, forget);
    return download;
  }

  /** Reads a downloaded (or sent) file back: its trusted media type and its plaintext. */
  async open(roomId: RoomId, messageId: MessageId): Promise<OpenedFile> {
    const attachment = this.attachmentOf(roomId, messageId);
    if ((await this.store.info(attachment.id))?.recordCount === undefined) {
      throw new BlobError('BLOB_TRUNCATED', 'the file is not downloaded (or not completely)');
    }
    const chunks = openBlob(this.#aead, attachment, this.#records(attachment));
    const first = await chunks.next();
    const head = first.done === true ? new Uint8Array() : first.value;
    return {
      attachment,
      mediaType: trustedMediaType(attachment.contentType, head.subarray(0, SNIFF_BYTES)),
      chunks: (async function* () {
        if (first.done !== true) yield first.value;
        yield* chunks;
      })(),
    };
  }

  /** Cancels every running download and upload, and lets deletions under way finish. */
  async close(): Promise<void> {
    for (const download of this.#downloads.values()) download.cancel();
    for (const upload of this.#uploads) upload.cancel();
    this.relays.close();
    this.#janitor.close();
    await this.#janitor.settled();
  }

  async *#records(attachment: Attachment): AsyncGenerator<Uint8Array> {
    const count = Math.max(1, Math.ceil(attachment.size / attachment.recordSize));
    for (let i = 0; i < count; i++) {
      const record = await this.store.getRecord(attachment.id, i);
      if (record === undefined) return; // openBlob refuses the short blob
      yield record;
    }
  }

  /** The message `messageId` of a room; a BlobError when there is none. */
  messageOf(roomId: RoomId, messageId: MessageId): TimelineMessage {
    return this.#message(roomId, messageId);
  }

  #message(roomId: RoomId, messageId: MessageId) {
    const message = this.#parts.client
      .timeline(roomId)
      .find((m) => bytesEqual(m.messageId, messageId));
    if (message === undefined) {
      throw new BlobError('BLOB_NOT_KITH_BLOB', 'no such message in this room');
    }
    return message;
  }
}
