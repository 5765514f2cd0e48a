import { decodeCbor } from '../cbor/decode.ts';
import { encodeCbor } from '../cbor/encode.ts';
import { blobHashOf, blobIdOf, type BlobId } from './blob-id.ts';
import { BlobError } from './errors.ts';
import { BlobLimits } from './layout.ts';

/** Bounds of the blob protocol (`/kith/blob/1.0.0`), the same for every peer. */
export const BlobProtocolLimits = {
  /** Records one request may ask for. */
  maxRecordsPerRequest: 16,
  /** Largest request: a CBOR array of a 32-byte hash and two integers. */
  maxRequestBytes: 64,
  /** Largest record frame a requester reads. */
  maxRecordBytes: BlobLimits.maxRecordSize + BlobLimits.tagBytes,
} as const;

/**
 * A request for records `from`..`from + count - 1` of the blob named `id`. The answer is those
 * records, one length-prefixed frame each, in order, stopping early at the first the peer
 * lacks; nothing names or lists blobs, so a peer gets only blobs whose hash it already knows.
 */
export interface BlobRequest {
  readonly id: BlobId;
  readonly from: number;
  readonly count: number;
}

/** A blob request as sent on `/kith/blob/1.0.0`; throws on a request beyond the limits. */
export function encodeBlobRequest(request: BlobRequest): Uint8Array {
  checkRange(request.from, request.count);
  return encodeCbor([blobHashOf(request.id), request.from, request.count]);
}

/** A peer's request; a BlobError (BLOB_PROTOCOL) for anything malformed or out of bounds. */
export function decodeBlobRequest(bytes: Uint8Array): BlobRequest {
  if (bytes.length > BlobProtocolLimits.maxRequestBytes) throw bad('the request is too large');
  let value: unknown;
  try {
    value = decodeCbor(bytes, { maxDepth: 2 });
  } catch (cause) {
    throw new BlobError('BLOB_PROTOCOL', 'the request is not CBOR', { cause });
  }
  if (!Array.isArray(value) || value.length !== 3) throw bad('a request is [hash, from, count]');
  const [hash, from, count] = value as unknown[];
  if (!(hash instanceof Uint8Array) || hash.length !== 32) throw bad('a hash is 32 bytes');
  if (typeof from !== 'number' || typeof count !== 'number')
    throw bad('from and count are integers');
  checkRange(from, count);
  return { id: blobIdOf(hash), from, count };
}

function checkRange(from: number, count: number): void {
  if (!Number.isSafeInteger(from) || from < 0 || from >= BlobLimits.maxRecords) {
    throw bad(`record ${from} is out of range`);
  }
  if (
    !Number.isSafeInteger(count) ||
    count < 1 ||
    count > BlobProtocolLimits.maxRecordsPerRequest
  ) {
    throw bad(`a request asks for 1 to ${BlobProtocolLimits.maxRecordsPerRequest} records`);
  }
}

function bad(message: string): BlobError {
  return new BlobError('BLOB_PROTOCOL', message);
}
