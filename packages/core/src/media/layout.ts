import { utf8 } from '../crypto/utf8.ts';
import { BlobError } from './errors.ts';

/** Sizes of Kith blobs (docs/PROTOCOL.md, "Blobs"). */
export const BlobLimits = {
  /** Plaintext bytes per record unless the sender chooses otherwise. */
  defaultRecordSize: 256 * 1024,
  minRecordSize: 16,
  maxRecordSize: 1024 * 1024,
  /** The record index is 32 bits in the nonce and the associated data. */
  maxRecords: 0xffff_ffff,
  tagBytes: 16,
  keyBytes: 16,
  nonceBytes: 12,
} as const;

const AAD_LABEL = utf8('kith-blob-v1');

/**
 * How a blob of `size` plaintext bytes splits into records of `recordSize` (the last one
 * shorter, or empty for an empty file), and what binds each record to its place: the nonce is
 * the blob's base nonce XOR the index, the associated data names the index, whether the record
 * is the last, and the record size. Moving, dropping or repeating a record, or cutting the
 * blob short, makes some record fail authentication or leaves the last one missing.
 */
export class BlobLayout {
  readonly size: number;
  readonly recordSize: number;
  /** At least 1: an empty file is one empty record, so that even it has a last record. */
  readonly count: number;

  constructor(size: number, recordSize: number) {
    if (
      !Number.isSafeInteger(recordSize) ||
      recordSize < BlobLimits.minRecordSize ||
      recordSize > BlobLimits.maxRecordSize
    ) {
      throw new BlobError(
        'BLOB_BAD_PARAMETERS',
        `record size ${recordSize} is outside ${BlobLimits.minRecordSize}..${BlobLimits.maxRecordSize}`,
      );
    }
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new BlobError('BLOB_BAD_PARAMETERS', `blob size ${size} is not a byte count`);
    }
    const count = Math.max(1, Math.ceil(size / recordSize));
    if (count > BlobLimits.maxRecords) {
      throw new BlobError(
        'BLOB_BAD_PARAMETERS',
        `a blob has at most ${BlobLimits.maxRecords} records`,
      );
    }
    this.size = size;
    this.recordSize = recordSize;
    this.count = count;
  }

  /** Whether record `index` is the last one (an empty file has one, empty). */
  isLast(index: number): boolean {
    return index === this.count - 1;
  }

  /** The plaintext bytes record `index` holds. */
  plainLength(index: number): number {
    this.#check(index);
    return this.isLast(index) ? this.size - index * this.recordSize : this.recordSize;
  }

  /** The bytes record `index` takes sealed: its plaintext and the tag. */
  cipherLength(index: number): number {
    return this.plainLength(index) + BlobLimits.tagBytes;
  }

  /** Size of the whole ciphertext: what a relay or peer storing the blob learns. */
  get cipherSize(): number {
    return this.size + this.count * BlobLimits.tagBytes;
  }

  #check(index: number): void {
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.count) {
      throw new BlobError(
        'BLOB_BAD_PARAMETERS',
        `record ${index} is outside 0..${this.count - 1}`,
        {
          index,
        },
      );
    }
  }
}

/** The nonce of record `index`: the base nonce with its last 4 bytes XOR the index. */
export function recordNonce(base: Uint8Array, index: number): Uint8Array {
  if (base.length !== BlobLimits.nonceBytes) {
    throw new BlobError('BLOB_BAD_PARAMETERS', `a blob nonce is ${BlobLimits.nonceBytes} bytes`);
  }
  const nonce = base.slice();
  const view = new DataView(nonce.buffer, nonce.byteOffset, nonce.byteLength);
  view.setUint32(8, (view.getUint32(8) ^ index) >>> 0);
  return nonce;
}

/** The associated data of a record: label, last-record flag, index, record size. */
export function recordAad(index: number, last: boolean, recordSize: number): Uint8Array {
  const aad = new Uint8Array(AAD_LABEL.length + 9);
  aad.set(AAD_LABEL);
  const view = new DataView(aad.buffer, AAD_LABEL.length);
  view.setUint8(0, last ? 1 : 0);
  view.setUint32(1, index);
  view.setUint32(5, recordSize);
  return aad;
}
