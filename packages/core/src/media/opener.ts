import { bytesEqual } from '../crypto/bytes.ts';
import type { AeadFactory, RecordAead } from './aead.ts';
import { blobHashOf, type BlobId } from './blob-id.ts';
import { chunksOf, type ByteSource } from './chunks.ts';
import { BlobError } from './errors.ts';
import { BlobLimits, BlobLayout, recordAad, recordNonce } from './layout.ts';
import type { BlobKeys } from './sealer.ts';
import { blobSha256 } from './stream-hash.ts';

/** Everything needed to fetch and read a blob: what a received ExternalPart tells. */
export interface BlobDescriptor extends BlobKeys {
  readonly id: BlobId;
  /** Plaintext size the sender declared. */
  readonly size: number;
}

/**
 * Checks and decrypts single records of one blob, in any order: what a download needs to
 * refuse a bad record from one peer and ask another for it.
 */
export class BlobOpener {
  readonly layout: BlobLayout;
  readonly descriptor: BlobDescriptor;
  readonly #aead: RecordAead;

  private constructor(aead: RecordAead, descriptor: BlobDescriptor) {
    this.#aead = aead;
    this.descriptor = descriptor;
    this.layout = new BlobLayout(descriptor.size, descriptor.recordSize);
  }

  /** An opener for the blob `descriptor` names, with its key imported. */
  static async create(aead: AeadFactory, descriptor: BlobDescriptor): Promise<BlobOpener> {
    if (descriptor.key.length !== BlobLimits.keyBytes) {
      throw new BlobError('BLOB_BAD_PARAMETERS', `a blob key is ${BlobLimits.keyBytes} bytes`);
    }
    recordNonce(descriptor.nonce, 0);
    return new BlobOpener(await aead(descriptor.key), descriptor);
  }

  /** The plaintext of record `index`; a BlobError when the record is not that record. */
  async open(index: number, record: Uint8Array): Promise<Uint8Array> {
    const { layout } = this;
    if (record.length !== layout.cipherLength(index)) {
      throw new BlobError(
        'BLOB_RECORD_SIZE',
        `record ${index} is ${record.length} bytes, ${layout.cipherLength(index)} expected`,
        { index },
      );
    }
    const aad = recordAad(index, layout.isLast(index), layout.recordSize);
    const plain = await this.#aead.open(recordNonce(this.descriptor.nonce, index), aad, record);
    if (plain === undefined) {
      throw new BlobError('BLOB_RECORD_INVALID', `record ${index} failed authentication`, {
        index,
      });
    }
    return plain;
  }
}

/**
 * Reads a blob's records in order: each is authenticated as it arrives, and the whole
 * ciphertext must hash to the blob's name once the last record is in.
 */
export class BlobVerifier {
  readonly #opener: BlobOpener;
  readonly #hash = blobSha256();
  #next = 0;

  constructor(opener: BlobOpener) {
    this.#opener = opener;
  }

  /** The index of the record expected next. */
  get nextIndex(): number {
    return this.#next;
  }

  /** Whether every record of the blob has been checked, in order. */
  get done(): boolean {
    return this.#next === this.#opener.layout.count;
  }

  /** The plaintext of the next record; a BlobError for a bad record or one past the last. */
  async push(record: Uint8Array): Promise<Uint8Array> {
    if (this.done) {
      throw new BlobError('BLOB_TRAILING_DATA', 'data after the last record', {
        index: this.#next,
      });
    }
    const plain = await this.#opener.open(this.#next, record);
    this.#hash.update(record);
    this.#next++;
    return plain;
  }

  /** Checks that the blob is complete and is the one its name names. */
  finish(): void {
    if (!this.done) {
      throw new BlobError(
        'BLOB_TRUNCATED',
        `the blob ended after ${this.#next} of ${this.#opener.layout.count} records`,
        { index: this.#next },
      );
    }
    if (!bytesEqual(this.#hash.digest(), blobHashOf(this.#opener.descriptor.id))) {
      throw new BlobError('BLOB_HASH_MISMATCH', 'the ciphertext does not hash to the blob ID');
    }
  }
}

/**
 * Decrypts a whole blob read from `source` (ciphertext cut anywhere), giving plaintext record
 * by record. Nothing is given for a record before it is authenticated; the end is refused
 * unless the blob was complete and hashed to its name.
 */
export async function* openBlob(
  aead: AeadFactory,
  descriptor: BlobDescriptor,
  source: ByteSource,
): AsyncGenerator<Uint8Array> {
  const verifier = new BlobVerifier(await BlobOpener.create(aead, descriptor));
  const recordBytes = descriptor.recordSize + BlobLimits.tagBytes;
  for await (const chunk of chunksOf(source, recordBytes)) {
    yield await verifier.push(chunk.bytes);
  }
  verifier.finish();
}
