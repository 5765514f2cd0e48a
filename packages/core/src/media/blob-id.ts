import { fromHex, toHex } from '../crypto/bytes.ts';
import { BlobError } from './errors.ts';

declare const blobIdBrand: unique symbol;
/** A blob's name: the SHA-256 of its whole ciphertext, as 64 lowercase hex digits. */
export type BlobId = string & { readonly [blobIdBrand]: 'BlobId' };

/** The blob ID of a ciphertext hash. */
export function blobIdOf(hash: Uint8Array): BlobId {
  if (hash.length !== 32) throw new BlobError('BLOB_BAD_PARAMETERS', 'a blob hash is 32 bytes');
  return toHex(hash) as BlobId;
}

/** The ciphertext hash a blob ID names (32 bytes). */
export function blobHashOf(id: BlobId): Uint8Array {
  const hash = fromHex(id);
  if (hash?.length !== 32) throw new BlobError('BLOB_BAD_PARAMETERS', `"${id}" is not a blob ID`);
  return hash;
}

/** Reads a blob ID from untrusted text; undefined when it is not 64 lowercase hex digits. */
export function parseBlobId(text: string): BlobId | undefined {
  return /^[0-9a-f]{64}$/.test(text) ? (text as BlobId) : undefined;
}

/** Where a Kith blob is found: its ciphertext hash (RFC 6920 `ni` URI) and record size. */
export interface BlobLocator {
  readonly id: BlobId;
  readonly recordSize: number;
}

/** `ni:///sha-256;<base64url hash>?rs=<record size>` (RFC 6920, with a query parameter). */
export function blobUri(locator: BlobLocator): string {
  return `ni:///sha-256;${toBase64Url(blobHashOf(locator.id))}?rs=${locator.recordSize}`;
}

/** The locator in a blob URI, or undefined when the URI is not one. */
export function parseBlobUri(uri: string): BlobLocator | undefined {
  const match = /^ni:\/\/\/sha-256;([A-Za-z0-9_-]{43})\?rs=([1-9][0-9]{0,8})$/.exec(uri);
  if (match?.[1] === undefined || match[2] === undefined) return undefined;
  const hash = fromBase64Url(match[1]);
  if (hash === undefined) return undefined;
  return { id: blobIdOf(hash), recordSize: Number(match[2]) };
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Unpadded base64url (RFC 4648 §5). */
export function toBase64Url(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let c = 0; c < chars; c++) out += ALPHABET.charAt((n >> (18 - 6 * c)) & 63);
  }
  return out;
}

/** Unpadded base64url to bytes; undefined unless the text is canonical (no stray low bits). */
export function fromBase64Url(text: string): Uint8Array | undefined {
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const ch of text) {
    const v = ALPHABET.indexOf(ch);
    if (v < 0) return undefined;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
    acc &= (1 << bits) - 1;
  }
  return acc === 0 ? Uint8Array.from(out) : undefined;
}
