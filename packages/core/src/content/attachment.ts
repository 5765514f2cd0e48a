import { bytesEqual } from '../crypto/bytes.ts';
import { blobHashOf, blobUri, parseBlobUri } from '../media/blob-id.ts';
import { BlobError } from '../media/errors.ts';
import { BlobLayout, BlobLimits } from '../media/layout.ts';
import type { BlobDescriptor } from '../media/opener.ts';
import { previewParts, type MediaPreview } from '../media/preview.ts';
import { Disposition, type ExternalPart, type MimiContent, type NestedPart } from './model.ts';
import { markdownPart, multiPart, partsInIndexOrder, textPart } from './parts.ts';

/**
 * The AEAD number of a Kith blob: AES-128-GCM over fixed-size records (docs/PROTOCOL.md,
 * "Blobs"), from the private-use range since no IANA number names a chunked AEAD. A MIMI
 * client that does not know it shows the fallback text sent beside the file.
 */
export const KITH_BLOB_AEAD = 0x8001;
/** IANA Named Information hash algorithm 1: SHA-256. */
const SHA_256 = 1;

/** What the sender says about a file, besides what the blob codec gives. */
export interface FileDetails {
  /** The media type the sender claims; the receiver sniffs and does not trust it. */
  readonly contentType: string;
  readonly filename?: string;
  readonly description?: string;
  /** See `Disposition`; attachment unless told. */
  readonly disposition?: number;
}

/** A received file: the blob to fetch and open, and what the sender said about it. */
export interface Attachment extends BlobDescriptor {
  readonly contentType: string;
  readonly filename: string;
  readonly description: string;
}

/** The ExternalPart naming a sealed blob by its ciphertext hash, with the key to open it. */
export function attachmentPart(blob: BlobDescriptor, details: FileDetails): ExternalPart {
  return {
    disposition: details.disposition ?? Disposition.attachment,
    language: '',
    kind: 'external',
    contentType: details.contentType,
    url: blobUri({ id: blob.id, recordSize: blob.recordSize }),
    expires: 0,
    size: blob.size,
    encAlg: KITH_BLOB_AEAD,
    key: blob.key,
    nonce: blob.nonce,
    aad: new Uint8Array(),
    hashAlg: SHA_256,
    contentHash: blobHashOf(blob.id),
    description: details.description ?? '',
    filename: details.filename ?? '',
  };
}

/**
 * A message body for a file: the ExternalPart and, as its alternative (chooseOne), a plain-text
 * fallback for services that cannot show the media; after a Markdown caption if there is one,
 * and before the preview's parts (`previewParts`) if there is a preview.
 */
export function attachmentBody(
  part: ExternalPart,
  caption?: string,
  preview?: MediaPreview,
): NestedPart {
  const file = multiPart('chooseOne', [part, textPart(fallbackText(part, preview))]);
  const extra = preview === undefined ? [] : previewParts(preview);
  const parts = [...(caption === undefined ? [] : [markdownPart(caption)]), file, ...extra];
  return parts.length === 1 ? file : multiPart('processAll', parts);
}

/**
 * "[file: report.pdf, application/pdf, 1.2 MB]", or "[voice message 0:12, audio/ogg, 20.1 KB]":
 * what a client that cannot fetch it shows.
 */
export function fallbackText(part: ExternalPart, preview?: MediaPreview): string {
  if (preview?.voice === true) {
    const length = preview.durationMs === undefined ? '' : ` ${formatDuration(preview.durationMs)}`;
    return `[voice message${length}, ${part.contentType}, ${formatSize(part.size)}]`;
  }
  const name = part.filename === '' ? 'a file' : part.filename;
  const what = part.description === '' ? '' : ` (${part.description})`;
  return `[file: ${name}${what}, ${part.contentType}, ${formatSize(part.size)}]`;
}

/** "0:12", "12:05", "1:02:03": a playing time as a player shows it. */
export function formatDuration(ms: number): string {
  const total = Math.round(ms / 1000);
  const s = String(total % 60).padStart(2, '0');
  const m = Math.floor(total / 60) % 60;
  const h = Math.floor(total / 3600);
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** The Kith blob an ExternalPart describes; a BlobError (BLOB_NOT_KITH_BLOB) saying why not. */
export function readAttachment(part: ExternalPart): Attachment {
  const fail = (why: string): never => {
    throw new BlobError('BLOB_NOT_KITH_BLOB', `the external part is not a Kith blob: ${why}`);
  };
  if (part.encAlg !== KITH_BLOB_AEAD) fail(`AEAD ${part.encAlg}, not ${KITH_BLOB_AEAD}`);
  if (part.hashAlg !== SHA_256) fail(`hash algorithm ${part.hashAlg}, not SHA-256`);
  const locator = parseBlobUri(part.url) ?? fail(`"${part.url}" is not a blob URI`);
  if (!bytesEqual(part.contentHash, blobHashOf(locator.id))) {
    fail('the content hash and the URI name different blobs');
  }
  if (part.key.length !== BlobLimits.keyBytes) fail(`a ${part.key.length}-byte key`);
  if (part.nonce.length !== BlobLimits.nonceBytes) fail(`a ${part.nonce.length}-byte nonce`);
  if (part.aad.length !== 0) fail('additional data is not used');
  try {
    new BlobLayout(part.size, locator.recordSize);
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  return {
    id: locator.id,
    size: part.size,
    recordSize: locator.recordSize,
    key: part.key,
    nonce: part.nonce,
    contentType: part.contentType,
    filename: part.filename,
    description: part.description,
  };
}

/** The first Kith blob in a message's body, if any (external parts of other kinds are left). */
export function findAttachment(content: MimiContent): Attachment | undefined {
  for (const part of partsInIndexOrder(content.body)) {
    if (part.kind !== 'external' || part.encAlg !== KITH_BLOB_AEAD) continue;
    return readAttachment(part);
  }
  return undefined;
}

/** "1000 B", "1.2 MB": a file size as people read it. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
