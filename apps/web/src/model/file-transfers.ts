import { BlobError, toHex, type MessageId, type RoomId } from '@kith/core';
import { blobType, displayAs, type Display } from './file-item.ts';
import { messageId } from './ids.ts';

/** A download as the device runs it (`BlobDownload`). */
interface DownloadLike {
  readonly done: Promise<void>;
  onProgress(
    listener: (p: { readonly bytes: number; readonly totalBytes: number }) => void,
  ): () => void;
  cancel(): void;
}

/** What the page needs of the device's encrypted files (`KithDevice.blobs`). */
export interface BlobsApi {
  sendFile(
    roomId: RoomId,
    file: AsyncIterable<Uint8Array>,
    options: {
      readonly contentType: string;
      readonly filename?: string;
      readonly caption?: string;
      readonly onProgress?: (bytes: number) => void;
    },
  ): Promise<{ readonly messageId: MessageId }>;
  download(roomId: RoomId, messageId: MessageId): DownloadLike;
  open(
    roomId: RoomId,
    messageId: MessageId,
  ): Promise<{ readonly mediaType: string; readonly chunks: AsyncIterable<Uint8Array> }>;
}

/** Where a message's file is on this page. */
export type FileState =
  | { readonly kind: 'idle' }
  | { readonly kind: 'fetching'; readonly bytes: number; readonly total: number }
  | {
      readonly kind: 'ready';
      /** A blob: URL of the decrypted bytes, typed by `blobType` (opaque unless shown). */
      readonly url: string;
      readonly display: Display;
    }
  | { readonly kind: 'failed'; readonly error: string };

/** A file on its way out: sealed and stored record by record, then sent. */
export interface Upload {
  readonly id: number;
  readonly roomId: RoomId;
  readonly name: string;
  readonly size: number;
  readonly sent: number;
  readonly error: string | undefined;
}

/** A file a person picked, dropped or pasted. */
export interface PickedFile {
  readonly name: string;
  readonly type: string;
  readonly size: number;
  stream(): ReadableStream<Uint8Array>;
}

class UploadCancelled extends Error {}

/**
 * The page's files: uploads with progress and cancel, and received files fetched, checked and
 * decrypted into object URLs held for the page's life (revoked on `dispose`). Bytes reach the
 * DOM only through those URLs, typed by what sniffing the bytes allows.
 */
export class FileTransfers {
  readonly #blobs: BlobsApi;
  readonly #changed: () => void;
  readonly #states = new Map<string, FileState>();
  readonly #uploads = new Map<number, Upload & { cancelled: boolean }>();
  #nextUpload = 1;

  constructor(blobs: BlobsApi, changed: () => void) {
    this.#blobs = blobs;
    this.#changed = changed;
  }

  /** Uploads under way (or failed) in a room, oldest first. */
  uploads(roomId: RoomId): Upload[] {
    return [...this.#uploads.values()].filter((u) => u.roomId === roomId);
  }

  /**
   * Seals, stores and sends `file` (with `caption` as Markdown); resolves once sent, or
   * with undefined when cancelled. A failure stays listed with its error until dismissed.
   */
  async send(roomId: RoomId, file: PickedFile, caption?: string): Promise<string | undefined> {
    const id = this.#nextUpload++;
    const upload = {
      id,
      roomId,
      name: file.name,
      size: file.size,
      sent: 0,
      error: undefined as string | undefined,
      cancelled: false,
    };
    this.#uploads.set(id, upload);
    this.#changed();
    try {
      const sent = await this.#blobs.sendFile(roomId, readAll(file, upload), {
        contentType: file.type === '' ? 'application/octet-stream' : file.type,
        filename: file.name,
        ...(caption === undefined || caption === '' ? {} : { caption }),
        onProgress: (bytes) => {
          upload.sent = bytes;
          this.#changed();
        },
      });
      this.#uploads.delete(id);
      return toHex(sent.messageId);
    } catch (error) {
      if (upload.cancelled) {
        this.#uploads.delete(id);
        return undefined;
      }
      upload.error = error instanceof Error ? error.message : String(error);
      throw error;
    } finally {
      this.#changed();
    }
  }

  /** Stops an upload before its message is sent (nothing is sent then). */
  cancelUpload(id: number): void {
    const upload = this.#uploads.get(id);
    if (upload === undefined) return;
    if (upload.error !== undefined) this.#uploads.delete(id);
    else upload.cancelled = true;
    this.#changed();
  }

  state(messageHex: string): FileState {
    return this.#states.get(messageHex) ?? { kind: 'idle' };
  }

  /** Fetches (or finds kept) a message's file and decrypts it for the page; once at a time. */
  fetch(roomId: RoomId, messageHex: string): void {
    const now = this.state(messageHex).kind;
    if (now === 'fetching' || now === 'ready') return;
    this.#set(messageHex, { kind: 'fetching', bytes: 0, total: 0 });
    void this.#fetch(roomId, messageHex).catch((error: unknown) => {
      this.#set(messageHex, { kind: 'failed', error: describe(error) });
    });
  }

  /** Revokes every object URL (the page closes the device). */
  dispose(): void {
    for (const state of this.#states.values()) {
      if (state.kind === 'ready') URL.revokeObjectURL(state.url);
    }
    this.#states.clear();
    for (const upload of this.#uploads.values()) upload.cancelled = true;
  }

  async #fetch(roomId: RoomId, messageHex: string): Promise<void> {
    const id = messageId(messageHex);
    const download = this.#blobs.download(roomId, id);
    const off = download.onProgress((p) => {
      this.#set(messageHex, { kind: 'fetching', bytes: p.bytes, total: p.totalBytes });
    });
    try {
      await download.done;
    } finally {
      off();
    }
    const opened = await this.#blobs.open(roomId, id);
    const parts: Uint8Array<ArrayBuffer>[] = [];
    for await (const chunk of opened.chunks) parts.push(new Uint8Array(chunk));
    const url = URL.createObjectURL(new Blob(parts, { type: blobType(opened.mediaType) }));
    this.#set(messageHex, { kind: 'ready', url, display: displayAs(opened.mediaType) });
  }

  #set(messageHex: string, state: FileState): void {
    this.#states.set(messageHex, state);
    this.#changed();
  }
}

/** The file's bytes as the sealer reads them; stops with UploadCancelled once cancelled. */
async function* readAll(
  file: PickedFile,
  upload: { readonly cancelled: boolean },
): AsyncGenerator<Uint8Array> {
  const reader = file.stream().getReader();
  try {
    for (;;) {
      if (upload.cancelled) throw new UploadCancelled('cancelled');
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

function describe(error: unknown): string {
  if (error instanceof BlobError && error.code === 'BLOB_UNAVAILABLE') {
    return 'No device that has it is reachable now';
  }
  return error instanceof Error ? error.message : String(error);
}
