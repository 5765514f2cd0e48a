import { createHash } from 'node:crypto';
import { BlobLayout, blobIdOf, type BlobId } from '@kith/core';

/** A blob as a relay sees it: records of the right lengths whose concatenation names it. */
export interface TestBlob {
  readonly id: BlobId;
  readonly size: number;
  readonly recordSize: number;
  readonly records: readonly Uint8Array[];
}

/** Random ciphertext laid out as a blob of `size` plaintext bytes in records of `recordSize`. */
export function testBlob(size: number, recordSize = 16 * 1024): TestBlob {
  const layout = new BlobLayout(size, recordSize);
  const records: Uint8Array[] = [];
  const hash = createHash('sha256');
  for (let i = 0; i < layout.count; i++) {
    const record = new Uint8Array(layout.cipherLength(i));
    for (let at = 0; at < record.length; at += 65536) {
      crypto.getRandomValues(record.subarray(at, at + 65536));
    }
    records.push(record);
    hash.update(record);
  }
  return { id: blobIdOf(hash.digest()), size, recordSize, records };
}

/** Ciphertext bytes of a test blob: what quotas count. */
export function cipherBytes(blob: TestBlob): number {
  return new BlobLayout(blob.size, blob.recordSize).cipherSize;
}
