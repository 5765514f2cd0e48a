import {
  joinKey,
  keyPrefix,
  seqKey,
  type BlobId,
  type BlobStore,
  type KvStore,
  type StagedBlob,
  type StoredBlob,
} from '@kith/core';

/** Where a blob's records live, and its record count once complete. */
interface BlobMeta {
  readonly storage: string;
  readonly count: number | undefined;
}

/**
 * Blob ciphertext in the device database:
 *
 * | key                              | value                                             |
 * | -------------------------------- | ------------------------------------------------- |
 * | `blob/<id>`                      | `{"s": <storage>, "n": <record count or null>}`   |
 * | `blobrec/<storage>/<seq index>`  | one ciphertext record                             |
 *
 * A download stores records under the blob ID itself; a file being sealed under a random
 * staging name, filed under its ID once its hash is known (no copy).
 */
export class KvBlobStore implements BlobStore {
  readonly #kv: KvStore;
  readonly #meta = new Map<BlobId, BlobMeta>();

  constructor(kv: KvStore) {
    this.#kv = kv;
  }

  /** Keeps record `index` of a blob in the device database. */
  async putRecord(id: BlobId, index: number, record: Uint8Array): Promise<void> {
    let meta = await this.#read(id);
    if (meta === undefined) {
      meta = { storage: id, count: undefined };
      await this.#write(id, meta);
    }
    await this.#kv.put(joinKey('blobrec', meta.storage, seqKey(index)), record);
  }

  /** Record `index` of a blob, or undefined if it is not kept. */
  async getRecord(id: BlobId, index: number): Promise<Uint8Array | undefined> {
    const meta = await this.#read(id);
    if (meta === undefined) return undefined;
    return this.#kv.get(joinKey('blobrec', meta.storage, seqKey(index)));
  }

  async setComplete(id: BlobId, recordCount: number): Promise<void> {
    const meta = await this.#read(id);
    await this.#write(id, { storage: meta?.storage ?? id, count: recordCount });
  }

  async info(id: BlobId): Promise<StoredBlob | undefined> {
    const meta = await this.#read(id);
    return meta === undefined ? undefined : { recordCount: meta.count };
  }

  async delete(id: BlobId): Promise<void> {
    const meta = await this.#read(id);
    if (meta !== undefined) await this.#dropRecords(meta.storage);
    await this.#kv.del(joinKey('blob', id));
    this.#meta.delete(id);
  }

  stage(): StagedBlob {
    const storage = `st${randomHex(16)}`;
    return {
      putRecord: (index, record) =>
        this.#kv.put(joinKey('blobrec', storage, seqKey(index)), record),
      commit: async (id, recordCount) => {
        // The same ciphertext stored before (the same file sent with the same key) is kept once.
        if ((await this.#read(id))?.count !== undefined) return this.#dropRecords(storage);
        await this.#write(id, { storage, count: recordCount });
      },
      abort: () => this.#dropRecords(storage),
    };
  }

  async #read(id: BlobId): Promise<BlobMeta | undefined> {
    const cached = this.#meta.get(id);
    if (cached !== undefined) return cached;
    const bytes = await this.#kv.get(joinKey('blob', id));
    if (bytes === undefined) return undefined;
    const { s, n } = JSON.parse(new TextDecoder().decode(bytes)) as { s: string; n: number | null };
    const meta = { storage: s, count: n ?? undefined };
    this.#meta.set(id, meta);
    return meta;
  }

  async #write(id: BlobId, meta: BlobMeta): Promise<void> {
    const json = JSON.stringify({ s: meta.storage, n: meta.count ?? null });
    await this.#kv.put(joinKey('blob', id), new TextEncoder().encode(json));
    this.#meta.set(id, meta);
  }

  async #dropRecords(storage: string): Promise<void> {
    const keys: string[] = [];
    for await (const key of this.#kv.keys({ prefix: keyPrefix('blobrec', storage) })) {
      keys.push(key);
      if (keys.length === 256) await this.#kv.batch(keys.splice(0).map(del));
    }
    await this.#kv.batch(keys.map(del));
  }
}

function del(key: string) {
  return { type: 'del', key } as const;
}

function randomHex(bytes: number): string {
  const raw = crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(raw, (b) => b.toString(16).padStart(2, '0')).join('');
}
