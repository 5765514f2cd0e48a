import type { AeadFactory, RecordAead } from './aead.ts';
import { blobIdOf, type BlobId } from './blob-id.ts';
import { chunksOf, type ByteSource } from './chunks.ts';
import { BlobError } from './errors.ts';
import { BlobLimits, BlobLayout, recordAad, recordNonce } from './layout.ts';
import { blobSha256 } from './stream-hash.ts';

/** The secrets and shape of one blob: what an ExternalPart carries besides the file's details. */
export interface BlobKeys {
  /** 16 bytes (AES-128-GCM), fresh for every file. */
  readonly key: Uint8Array;
  /** 12 bytes, the base every record nonce is derived from. */
  readonly nonce: Uint8Array;
  readonly recordSize: number;
}

/** What sealing a file gave: its name and sizes, known once the last record is out. */
export interface SealedBlob {
  readonly id: BlobId;
  /** Plaintext bytes. */
  readonly size: number;
  readonly recordCount: number;
  /** Ciphertext bytes: what stores and peers see. */
  readonly cipherSize: number;
}

/**
 * Encrypts a file record by record as it is read, so neither the plaintext nor the ciphertext
 * is ever whole in memory. The blob's name (the ciphertext hash) is known after the last record.
 */
export class BlobSealer {
  readonly #aead: RecordAead;
  readonly #keys: BlobKeys;
  #result: SealedBlob | undefined;
  #started = false;

  private constructor(aead: RecordAead, keys: BlobKeys) {
    this.#aead = aead;
    this.#keys = keys;
  }

  /** A sealer for one file under `keys` (fresh ones: a key and nonce are never reused). */
  static async create(aead: AeadFactory, keys: BlobKeys): Promise<BlobSealer> {
    if (keys.key.length !== BlobLimits.keyBytes) {
      throw new BlobError('BLOB_BAD_PARAMETERS', `a blob key is ${BlobLimits.keyBytes} bytes`);
    }
    new BlobLayout(0, keys.recordSize); // checks the record size
    recordNonce(keys.nonce, 0); // checks the nonce length
    return new BlobSealer(await aead(keys.key), keys);
  }

  /** Ciphertext records in order; run once. */
  async *seal(source: ByteSource): AsyncGenerator<Uint8Array> {
    if (this.#started) throw new BlobError('BLOB_BAD_PARAMETERS', 'a sealer seals one file');
    this.#started = true;
    const { recordSize, nonce } = this.#keys;
    const hash = blobSha256();
    let index = 0;
    let size = 0;
    for await (const chunk of chunksOf(source, recordSize)) {
      if (index >= BlobLimits.maxRecords) {
        throw new BlobError('BLOB_BAD_PARAMETERS', 'the file is too large for one blob');
      }
      const aad = recordAad(index, chunk.last, recordSize);
      const record = await this.#aead.seal(recordNonce(nonce, index), aad, chunk.bytes);
      hash.update(record);
      size += chunk.bytes.length;
      index++;
      yield record;
    }
    const layout = new BlobLayout(size, recordSize);
    this.#result = {
      id: blobIdOf(hash.digest()),
      size,
      recordCount: index,
      cipherSize: layout.cipherSize,
    };
  }

  /** The sealed blob, once `seal` has given its last record. */
  get result(): SealedBlob {
    if (this.#result === undefined) {
      throw new BlobError('BLOB_BAD_PARAMETERS', 'the file is not sealed yet');
    }
    return this.#result;
  }
}
