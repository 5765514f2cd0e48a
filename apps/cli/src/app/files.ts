import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { BlobError, formatDuration, toHex, type MessageId, type RoomId } from '@kith/core';
import type { KithNode, OutgoingFile } from '@kith/node';
import { AppError } from './app-error.ts';
import { messageIdOf } from './view-builder.ts';

/** A transfer under way, for `transfers` and the chat's /transfers. */
export interface TransferView {
  readonly id: number;
  readonly kind: 'send' | 'download';
  readonly roomId: string;
  readonly name: string;
  readonly bytes: number;
  readonly total: number;
}

/** Files read whole for a preview (larger ones are streamed and sent without). */
const WHOLE_BYTES = 32 * 1024 * 1024;

/**
 * A name to write a received file under: the sender's name stripped of any directory, control
 * characters and leading dots (a sender must not pick where on disk it lands), else "file".
 */
export function safeFileName(name: string): string {
  const cleaned = basename(name.replaceAll('\\', '/'))
    .replace(/[\p{Cc}\p{Cf}/:*?"<>|]/gu, '_')
    .replace(/^\.+/, '')
    .slice(0, 200);
  return cleaned === '' ? 'file' : cleaned;
}

/**
 * Files for the daemon and the chat: sending one from a path (with its preview), downloading a
 * received one to a path, and the transfers under way (with progress, cancellable).
 */
export class AppFiles {
  readonly #node: KithNode;
  readonly #roomId: (text: string) => RoomId;
  readonly #downloads: string;
  readonly #transfers = new Map<number, TransferView & { cancel: () => void }>();
  #next = 1;

  constructor(node: KithNode, roomId: (text: string) => RoomId, downloadsDir: string) {
    this.#node = node;
    this.#roomId = roomId;
    this.#downloads = downloadsDir;
  }

  /** Seals and sends the file at `path`; a picture gets a thumbnail, `voice` an Ogg Opus summary. */
  async sendFile(
    roomText: string,
    path: string,
    options: { caption?: string; voice?: boolean; filename?: string } = {},
  ): Promise<{ messageId: string; blobId: string; type: string; size: number; preview: string }> {
    const roomId = this.#roomId(roomText);
    const full = resolve(path);
    const info = await stat(full).catch(() => undefined);
    if (info?.isFile() !== true) throw new AppError('INVALID_PARAMS', `no file at ${full}`);
    const file = await outgoing(full, info.size);
    const name = options.filename ?? basename(full);
    const abort = new AbortController();
    const transfer = this.#start('send', roomId, name, info.size, () => {
      abort.abort();
    });
    try {
      const sent = await this.#node.media.send(roomId, file, {
        filename: name,
        signal: abort.signal,
        onProgress: (bytes) => {
          this.#progress(transfer, bytes);
        },
        ...(options.caption === undefined ? {} : { caption: options.caption }),
        ...(options.voice === true ? { voice: true } : {}),
      });
      const p = sent.preview;
      const preview =
        p === undefined
          ? sent.previewError === undefined
            ? 'none'
            : `none (${sent.previewError.code})`
          : p.voice === true
            ? `voice ${formatDuration(p.durationMs ?? 0)}`
            : p.thumbnail === undefined
              ? 'info'
              : `thumbnail ${p.thumbnail.width}×${p.thumbnail.height}, ${p.thumbnail.bytes.length} bytes`;
      return {
        messageId: toHex(sent.messageId),
        blobId: sent.blobId,
        type: sent.contentType,
        size: info.size,
        preview,
      };
    } finally {
      this.#transfers.delete(transfer);
    }
  }

  /**
   * Fetches a message's file from the room's members and writes it to `path` (a directory, or a
   * file name; by default the data directory's downloads/). Never overwrites: an existing name
   * gets " (1)", " (2)"... before its extension. Returns where it went and the type its bytes show.
   */
  async downloadFile(
    roomText: string,
    messageHex: string,
    path?: string,
  ): Promise<{ path: string; bytes: number; type: string }> {
    const roomId = this.#roomId(roomText);
    const messageId: MessageId = messageIdOf(messageHex);
    const blobs = this.#node.blobs;
    const attachment = blobs.attachmentOf(roomId, messageId);
    const name = safeFileName(attachment.filename);
    const download = blobs.download(roomId, messageId);
    const transfer = this.#start('download', roomId, name, attachment.size, () => {
      download.cancel();
    });
    try {
      download.onProgress((p) => {
        this.#progress(transfer, p.bytes);
      });
      await download.done;
    } finally {
      this.#transfers.delete(transfer);
    }
    const opened = await blobs.open(roomId, messageId);
    const target = await freeName(await targetOf(path, this.#downloads, name));
    const out = await open(target, 'wx');
    let bytes = 0;
    try {
      for await (const chunk of opened.chunks) {
        await out.write(chunk);
        bytes += chunk.length;
      }
    } finally {
      await out.close();
    }
    return { path: target, bytes, type: opened.mediaType };
  }

  /**
   * Makes the picture at `path` (PNG or JPEG) the user's avatar, or the room's with `roomText`:
   * a 256 px square carried as a blob (PROTOCOL §13). Returns its reference.
   */
  async setAvatar(path: string, roomText?: string): Promise<{ avatar: string }> {
    const full = resolve(path);
    const info = await stat(full).catch(() => undefined);
    if (info?.isFile() !== true) throw new AppError('INVALID_PARAMS', `no file at ${full}`);
    if (info.size > WHOLE_BYTES) {
      throw new BlobError(
        'BLOB_TOO_LARGE',
        `a ${info.size}-byte picture is too large for an avatar`,
      );
    }
    const picture = new Uint8Array(await readFile(full));
    const avatars = this.#node.media.avatars;
    const avatar =
      roomText === undefined
        ? await avatars.setUserAvatar(picture)
        : await avatars.setRoomAvatar(this.#roomId(roomText), picture);
    return { avatar };
  }

  /** Transfers under way, oldest first. */
  transfers(): TransferView[] {
    return [...this.#transfers.values()].map((t) => ({
      id: t.id,
      kind: t.kind,
      roomId: t.roomId,
      name: t.name,
      bytes: t.bytes,
      total: t.total,
    }));
  }

  /** Stops a transfer; a download keeps what it verified and resumes from there next time. */
  cancel(id: number): void {
    const transfer = this.#transfers.get(id);
    if (transfer === undefined) {
      throw new AppError('INVALID_PARAMS', `no transfer ${id} under way (see transfers)`);
    }
    transfer.cancel();
  }

  #start(
    kind: TransferView['kind'],
    roomId: RoomId,
    name: string,
    total: number,
    cancel: () => void,
  ): number {
    const id = this.#next++;
    this.#transfers.set(id, { id, kind, roomId, name, bytes: 0, total, cancel });
    return id;
  }

  #progress(id: number, bytes: number): void {
    const t = this.#transfers.get(id);
    if (t !== undefined) this.#transfers.set(id, { ...t, bytes });
  }
}

async function outgoing(path: string, size: number): Promise<OutgoingFile> {
  if (size <= WHOLE_BYTES) return new Uint8Array(await readFile(path));
  const handle = await open(path, 'r');
  try {
    const head = new Uint8Array(64 * 1024);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return { size, head: head.subarray(0, bytesRead), source: createReadStream(path) };
  } finally {
    await handle.close();
  }
}

/** `path` itself, or `name` inside it when it is a directory (by default, `downloads`). */
async function targetOf(
  path: string | undefined,
  downloads: string,
  name: string,
): Promise<string> {
  const full = resolve(path ?? downloads);
  const info = await stat(full).catch(() => undefined);
  if (path === undefined || info?.isDirectory() === true || path.endsWith('/')) {
    await mkdir(full, { recursive: true });
    return join(full, name);
  }
  return full;
}

async function freeName(path: string): Promise<string> {
  const dot = path.lastIndexOf('.');
  const slash = path.lastIndexOf('/');
  const [stem, ext] = dot > slash + 1 ? [path.slice(0, dot), path.slice(dot)] : [path, ''];
  for (let i = 0; i < 1000; i++) {
    const candidate = i === 0 ? path : `${stem} (${i})${ext}`;
    if ((await stat(candidate).catch(() => undefined)) === undefined) return candidate;
  }
  throw new BlobError('BLOB_BAD_PARAMETERS', `no free name beside ${path}`);
}
