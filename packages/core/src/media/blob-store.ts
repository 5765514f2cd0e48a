import type { BlobId } from './blob-id.ts';

/** What a store knows of a blob. */
export interface StoredBlob {
  /** Set once every record is in and the ciphertext hashed to the blob ID. */
  readonly recordCount: number | undefined;
}

/**
 * Where a device keeps blob ciphertext, record by record (a port: memory in unit tests, the
 * device database in the runtimes). It holds ciphertext only; keys stay in messages. A blob
 * being downloaded is kept record by record, so a transfer resumes after the records it has.
 */
export interface BlobStore {
  /** Keeps record `index` of a complete blob (a download), checked by the caller. */
  putRecord(id: BlobId, index: number, record: Uint8Array): Promise<void>;
  /** Record `index` of a blob, or undefined if it is not kept. */
  getRecord(id: BlobId, index: number): Promise<Uint8Array | undefined>;
  /** Records the blob as complete (its hash checked) with `recordCount` records. */
  setComplete(id: BlobId, recordCount: number): Promise<void>;
  /** Undefined when the store has nothing of the blob. */
  info(id: BlobId): Promise<StoredBlob | undefined>;
  /** Drops the blob and every record of it. */
  delete(id: BlobId): Promise<void>;
  /** Starts storing a blob being sealed, whose name is known only after its last record. */
  stage(): StagedBlob;
}

/** Records of a blob being sealed, kept apart until it has a name. */
export interface StagedBlob {
  /** Keeps record `index` of the blob being sealed. */
  putRecord(index: number, record: Uint8Array): Promise<void>;
  /** Files the records under the blob's name, as a complete blob of `recordCount` records. */
  commit(id: BlobId, recordCount: number): Promise<void>;
  /** Drops the records (the sealing failed or was cancelled). */
  abort(): Promise<void>;
}

/** A BlobStore in memory, for unit tests. */
export class MemoryBlobStore implements BlobStore {
  readonly #records = new Map<BlobId, Map<number, Uint8Array>>();
  readonly #complete = new Map<BlobId, number>();

  /** Keeps record `index` of a blob. */
  putRecord(id: BlobId, index: number, record: Uint8Array): Promise<void> {
    let records = this.#records.get(id);
    if (records === undefined) {
      records = new Map<number, Uint8Array>();
      this.#records.set(id, records);
    }
    records.set(index, record.slice());
    return Promise.resolve();
  }

  /** Record `index` of a blob, or undefined. */
  getRecord(id: BlobId, index: number): Promise<Uint8Array | undefined> {
    return Promise.resolve(this.#records.get(id)?.get(index)?.slice());
  }

  setComplete(id: BlobId, recordCount: number): Promise<void> {
    this.#complete.set(id, recordCount);
    return Promise.resolve();
  }

  info(id: BlobId): Promise<StoredBlob | undefined> {
    if (!this.#records.has(id)) return Promise.resolve(undefined);
    return Promise.resolve({ recordCount: this.#complete.get(id) });
  }

  delete(id: BlobId): Promise<void> {
    this.#records.delete(id);
    this.#complete.delete(id);
    return Promise.resolve();
  }

  stage(): StagedBlob {
    const staged = new Map<number, Uint8Array>();
    return {
      putRecord: (index, record) => {
        staged.set(index, record.slice());
        return Promise.resolve();
      },
      commit: (id, recordCount) => {
        if (!this.#complete.has(id)) {
          this.#records.set(id, new Map(staged));
          this.#complete.set(id, recordCount);
        }
        staged.clear();
        return Promise.resolve();
      },
      abort: () => {
        staged.clear();
        return Promise.resolve();
      },
    };
  }
}
