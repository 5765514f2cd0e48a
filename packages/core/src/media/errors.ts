import { KithError } from '../errors.ts';

/** Why a blob, one of its records, or a blob transfer was refused. */
export type BlobErrorCode =
  /** A record failed authentication: altered, moved to another index, or from another blob. */
  | 'BLOB_RECORD_INVALID'
  /** A record whose length is not what its index and the declared size call for. */
  | 'BLOB_RECORD_SIZE'
  /** The blob ended before its last record. */
  | 'BLOB_TRUNCATED'
  /** Data after the last record. */
  | 'BLOB_TRAILING_DATA'
  /** The ciphertext does not hash to the name the message gave it. */
  | 'BLOB_HASH_MISMATCH'
  /** The plaintext is larger or smaller than the size the message declared. */
  | 'BLOB_SIZE_MISMATCH'
  /** Parameters out of range: record size, key or nonce length, a file too large. */
  | 'BLOB_BAD_PARAMETERS'
  /** A file larger than this device accepts. */
  | 'BLOB_TOO_LARGE'
  /** An ExternalPart that does not describe a Kith blob (URI, algorithm, key sizes). */
  | 'BLOB_NOT_KITH_BLOB'
  /** No WebCrypto AES-GCM in this runtime. */
  | 'BLOB_NO_CRYPTO'
  /** A blob request or response that breaks the blob protocol. */
  | 'BLOB_PROTOCOL'
  /** No peer had the record, or every peer that had it served a bad one. */
  | 'BLOB_UNAVAILABLE'
  /** The transfer was cancelled. */
  | 'BLOB_CANCELLED';

export class BlobError extends KithError<BlobErrorCode> {
  override readonly name = 'BlobError';
  /** The record concerned, when there is one. */
  readonly index: number | undefined;

  constructor(code: BlobErrorCode, message: string, options?: { index?: number; cause?: unknown }) {
    super(code, message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.index = options?.index;
  }
}
