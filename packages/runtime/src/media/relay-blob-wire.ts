import {
  BlobError,
  BlobLayout,
  blobHashOf,
  blobIdOf,
  decodeCbor,
  encodeCbor,
  signWithContext,
  verifyWithContext,
  type BlobId,
  type MailboxKey,
} from '@kith/core';

/**
 * The relay blob store's wire (`/kith/blob-store/1.0.0`, docs/PROTOCOL.md §13.1): a put, delete
 * or close is signed by a room epoch's mailbox key for one relay, exactly as a mailbox write
 * (§12.1): only the members of that epoch hold the key. The relay stores ciphertext records
 * and learns their sizes, never keys.
 */

/** What a relay states before an upload: refusals name them too. */
export interface RelayBlobLimits {
  /** Largest blob (ciphertext bytes) the relay keeps. */
  readonly maxBlobBytes: number;
  /** Ciphertext bytes the relay keeps in all, and how many of them are free now. */
  readonly totalBytes: number;
  readonly freeBytes: number;
  /** Bytes one room epoch's mailbox key may have stored, and one writer (network address). */
  readonly roomQuotaBytes: number;
  readonly writerQuotaBytes: number;
  /** How long a stored blob is kept (ms). */
  readonly retentionMs: number;
}

/** A device's request to a relay's blob store (docs/PROTOCOL.md §13.1). */
export type RelayBlobRequest =
  | { readonly type: 'limits' }
  | {
      readonly type: 'put';
      readonly mailbox: Uint8Array;
      readonly id: BlobId;
      /** Plaintext bytes, and plaintext bytes per record: the record lengths follow. */
      readonly size: number;
      readonly recordSize: number;
      readonly signature: Uint8Array;
    }
  | {
      readonly type: 'delete';
      readonly mailbox: Uint8Array;
      readonly id: BlobId;
      readonly signature: Uint8Array;
    }
  | { readonly type: 'close'; readonly mailbox: Uint8Array; readonly signature: Uint8Array };

const RELAY_BLOB_REFUSALS = [
  'MALFORMED',
  'UNAUTHORIZED',
  'QUOTA_EXCEEDED',
  'RATE_LIMITED',
  'TOO_LARGE',
  'HASH_MISMATCH',
  'CLOSED',
  'BUSY',
] as const;
/** Why a relay's blob store refused a request. */
export type RelayBlobRefusal = (typeof RELAY_BLOB_REFUSALS)[number];

/** A relay blob store's answer to a request. */
export type RelayBlobResponse =
  | { readonly type: 'limits'; readonly limits: RelayBlobLimits }
  /** A put accepted: send records `from` on (those before are held); the limits in force. */
  | { readonly type: 'send'; readonly from: number; readonly limits: RelayBlobLimits }
  /** During an upload: the relay holds the records before `held` (one ack per record). */
  | { readonly type: 'held'; readonly held: number }
  | { readonly type: 'ok' }
  | { readonly type: 'refused'; readonly code: RelayBlobRefusal; readonly message: string };

/** Largest request or response frame; records travel in frames of their own after a put. */
export const MAX_BLOB_STORE_FRAME = 512;

const VERSION = 1;
const TYPES = ['limits', 'put', 'delete', 'close'] as const;
const CONTEXT_PUT = 'kith/blob-put/v1';
const CONTEXT_DELETE = 'kith/blob-delete/v1';
const CONTEXT_CLOSE = 'kith/blob-close/v1';

function putMessage(relay: string, id: BlobId, size: number, recordSize: number): Uint8Array {
  return encodeCbor([relay, blobHashOf(id), size, recordSize]);
}

/** Signs an upload of blob `id` for the key's mailbox on `relay` (its peer ID). */
export function signBlobPut(
  key: MailboxKey,
  relay: string,
  blob: { id: BlobId; size: number; recordSize: number },
): Uint8Array {
  return signWithContext(
    key.keyPair.secretKey,
    CONTEXT_PUT,
    putMessage(relay, blob.id, blob.size, blob.recordSize),
  );
}

/** Signs a request to drop what the key's mailbox stored of blob `id` on `relay`. */
export function signBlobDelete(key: MailboxKey, relay: string, id: BlobId): Uint8Array {
  return signWithContext(
    key.keyPair.secretKey,
    CONTEXT_DELETE,
    encodeCbor([relay, blobHashOf(id)]),
  );
}

/** Signs that the key's epoch is over: `relay` takes no more uploads under it. */
export function signBlobClose(key: MailboxKey, relay: string): Uint8Array {
  return signWithContext(key.keyPair.secretKey, CONTEXT_CLOSE, encodeCbor([relay]));
}

/** Whether the request's mailbox key signed it for `relay` (`limits` needs no signature). */
export function verifyBlobRequest(request: RelayBlobRequest, relay: string): boolean {
  switch (request.type) {
    case 'limits':
      return true;
    case 'put':
      return verifyWithContext(
        request.mailbox,
        CONTEXT_PUT,
        putMessage(relay, request.id, request.size, request.recordSize),
        request.signature,
      );
    case 'delete':
      return verifyWithContext(
        request.mailbox,
        CONTEXT_DELETE,
        encodeCbor([relay, blobHashOf(request.id)]),
        request.signature,
      );
    case 'close':
      return verifyWithContext(
        request.mailbox,
        CONTEXT_CLOSE,
        encodeCbor([relay]),
        request.signature,
      );
  }
}

/** The CBOR frame of a blob-store request. */
export function encodeRelayBlobRequest(request: RelayBlobRequest): Uint8Array {
  const type = TYPES.indexOf(request.type);
  switch (request.type) {
    case 'limits':
      return encodeCbor([VERSION, type]);
    case 'put':
      return encodeCbor([
        VERSION,
        type,
        request.mailbox,
        blobHashOf(request.id),
        request.size,
        request.recordSize,
        request.signature,
      ]);
    case 'delete':
      return encodeCbor([
        VERSION,
        type,
        request.mailbox,
        blobHashOf(request.id),
        request.signature,
      ]);
    case 'close':
      return encodeCbor([VERSION, type, request.mailbox, request.signature]);
  }
}

/** A request as a relay reads it; a BlobError (BLOB_PROTOCOL) for anything malformed. */
export function decodeRelayBlobRequest(bytes: Uint8Array): RelayBlobRequest {
  const fields = frame(bytes);
  const type = TYPES[fields[1] as number];
  if (type === 'limits' && fields.length === 2) return { type };
  if (type === 'close' && fields.length === 4) {
    return { type, mailbox: key(fields[2]), signature: signature(fields[3]) };
  }
  if (type === 'delete' && fields.length === 5) {
    return { type, mailbox: key(fields[2]), id: hash(fields[3]), signature: signature(fields[4]) };
  }
  if (type === 'put' && fields.length === 7) {
    const [size, recordSize] = [fields[4], fields[5]];
    if (typeof size !== 'number' || typeof recordSize !== 'number') {
      throw bad('size and record size are integers');
    }
    try {
      new BlobLayout(size, recordSize);
    } catch (cause) {
      throw new BlobError('BLOB_PROTOCOL', 'size or record size out of range', { cause });
    }
    return {
      type,
      mailbox: key(fields[2]),
      id: hash(fields[3]),
      size,
      recordSize,
      signature: signature(fields[6]),
    };
  }
  throw bad('not a blob store request');
}

/** The CBOR frame of a blob-store answer. */
export function encodeRelayBlobResponse(response: RelayBlobResponse): Uint8Array {
  switch (response.type) {
    case 'limits':
      return encodeCbor([VERSION, 0, ...limitFields(response.limits)]);
    case 'send':
      return encodeCbor([VERSION, 1, response.from, ...limitFields(response.limits)]);
    case 'ok':
      return encodeCbor([VERSION, 2]);
    case 'held':
      return encodeCbor([VERSION, 4, response.held]);
    case 'refused':
      return encodeCbor([
        VERSION,
        3,
        RELAY_BLOB_REFUSALS.indexOf(response.code),
        response.message.slice(0, 200),
      ]);
  }
}

/** A relay's answer as a device reads it; a BlobError (BLOB_PROTOCOL) for anything malformed. */
export function decodeRelayBlobResponse(bytes: Uint8Array): RelayBlobResponse {
  const fields = frame(bytes);
  const numbers = fields.slice(2);
  if (fields[1] === 0 && fields.length === 8) return { type: 'limits', limits: limitsOf(numbers) };
  if (fields[1] === 1 && fields.length === 9) {
    const from = numbers[0];
    if (typeof from !== 'number' || !Number.isSafeInteger(from) || from < 0) {
      throw bad('a record index is an integer');
    }
    return { type: 'send', from, limits: limitsOf(numbers.slice(1)) };
  }
  if (fields[1] === 2 && fields.length === 2) return { type: 'ok' };
  if (fields[1] === 4 && fields.length === 3) {
    const held = fields[2];
    if (typeof held !== 'number' || !Number.isSafeInteger(held) || held < 1) {
      throw bad('a record count is a positive integer');
    }
    return { type: 'held', held };
  }
  if (fields[1] === 3 && fields.length === 4) {
    const code = RELAY_BLOB_REFUSALS[fields[2] as number];
    const message = fields[3];
    if (code === undefined || typeof message !== 'string') throw bad('a refusal is [code, text]');
    return { type: 'refused', code, message };
  }
  throw bad('not a blob store response');
}

function limitFields(l: RelayBlobLimits): number[] {
  return [
    l.maxBlobBytes,
    l.totalBytes,
    l.freeBytes,
    l.roomQuotaBytes,
    l.writerQuotaBytes,
    l.retentionMs,
  ];
}

function limitsOf(fields: readonly unknown[]): RelayBlobLimits {
  if (!fields.every((f) => typeof f === 'number' && Number.isSafeInteger(f) && f >= 0)) {
    throw bad('limits are byte counts');
  }
  const [maxBlobBytes, totalBytes, freeBytes, roomQuotaBytes, writerQuotaBytes, retentionMs] =
    fields as number[];
  return {
    maxBlobBytes: maxBlobBytes ?? 0,
    totalBytes: totalBytes ?? 0,
    freeBytes: freeBytes ?? 0,
    roomQuotaBytes: roomQuotaBytes ?? 0,
    writerQuotaBytes: writerQuotaBytes ?? 0,
    retentionMs: retentionMs ?? 0,
  };
}

function frame(bytes: Uint8Array): unknown[] {
  if (bytes.length > MAX_BLOB_STORE_FRAME) throw bad('the frame is too large');
  let value: unknown;
  try {
    value = decodeCbor(bytes, { maxDepth: 2 });
  } catch (cause) {
    throw new BlobError('BLOB_PROTOCOL', 'the frame is not CBOR', { cause });
  }
  if (!Array.isArray(value) || value[0] !== VERSION || typeof value[1] !== 'number') {
    throw bad(`a frame is [${VERSION}, type, ...]`);
  }
  return value as unknown[];
}

function key(value: unknown): Uint8Array {
  if (!(value instanceof Uint8Array) || value.length !== 32) throw bad('a mailbox key is 32 bytes');
  return value;
}

function hash(value: unknown): BlobId {
  if (!(value instanceof Uint8Array) || value.length !== 32) throw bad('a blob hash is 32 bytes');
  return blobIdOf(value);
}

function signature(value: unknown): Uint8Array {
  if (!(value instanceof Uint8Array) || value.length !== 64) throw bad('a signature is 64 bytes');
  return value;
}

function bad(message: string): BlobError {
  return new BlobError('BLOB_PROTOCOL', message);
}
