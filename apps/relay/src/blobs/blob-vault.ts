import { createHash } from 'node:crypto';
import {
  BlobLayout,
  blobHashOf,
  decodeCbor,
  encodeCbor,
  joinKey,
  keyPrefix,
  seqKey,
  splitKey,
  toHex,
  type BlobId,
  type KvOperation,
  type KvStore,
} from '@kith/core';
import type { RelayBlobLimits, RelayBlobRefusal } from '@kith/node';

export interface BlobPolicy {
  readonly maxBlobBytes: number;
  readonly totalBytes: number;
  /** Bytes stored under one room epoch's mailbox key. */
  readonly roomQuotaBytes: number;
  /** Bytes stored by one writer: a network address, which peer IDs are not. */
  readonly writerQuotaBytes: number;
  readonly retentionMs: number;
}

/** An upload the vault accepted: where its records go and from which index. */
export interface Upload {
  readonly id: BlobId;
  readonly layout: BlobLayout;
  /** Records before this index are held already (a resumed upload); count means complete. */
  readonly from: number;
  readonly storage: string;
}

export type Admission =
  | { readonly kind: 'upload'; readonly upload: Upload }
  | { readonly kind: 'refused'; readonly code: RelayBlobRefusal; readonly message: string };

/** How long an epoch's close is remembered: a removed member may try its old key much later. */
const CLOSE_KEPT_MS = 365 * 86_400_000;

/**
 * A relay's blobs (docs/PROTOCOL.md §13.1), in its database:
 *
 * | key                      | value                                          |
 * | ------------------------ | ---------------------------------------------- |
 * | `b/<hash>`               | `[size, rs, storage]` a complete blob          |
 * | `s/<hash>/<storage>`     | `[size, rs, startedAt, t]` an upload under way |
 * | `r/<storage>/<index>`    | one ciphertext record                          |
 * | `ref/<hash>/<t>`         | `[storedAt, bytes, writer]` a room's claim     |
 * | `rq/<t>`, `wq/<writer>`  | bytes charged to a room epoch, to a writer     |
 * | `c/<t>`                  | `closedAt`: no more uploads under that key     |
 *
 * `t` is the hex mailbox public key. A blob is stored once whatever the number of rooms that
 * uploaded it (each holds a ref and is charged for it); it goes when its last ref does
 * (deleted, or expired). Each writer's upload goes to a staging area of its own, so nobody can
 * spoil another's upload; a blob becomes complete (and served) only once its records hash to
 * its name. Meta changes run one at a time; record writes of an upload run beside them.
 */
export class BlobVault {
  readonly #kv: KvStore;
  readonly #policy: BlobPolicy;
  #queue: Promise<unknown> = Promise.resolve();
  /** Ciphertext bytes held and reserved (complete blobs and uploads under way). */
  #stored = 0;

  constructor(kv: KvStore, policy: BlobPolicy) {
    this.#kv = kv;
    this.#policy = policy;
  }

  /** Reads the bytes held; call once before serving. */
  async load(): Promise<number> {
    let total = 0;
    for await (const [key, value] of this.#kv.entries({ prefix: 'b/' })) {
      if (splitKey(key).length === 2) total += cipherSize(value);
    }
    for await (const [, value] of this.#kv.entries({ prefix: 's/' })) total += cipherSize(value);
    this.#stored = total;
    return total;
  }

  get storedBytes(): number {
    return this.#stored;
  }

  limits(): RelayBlobLimits {
    const p = this.#policy;
    return {
      maxBlobBytes: p.maxBlobBytes,
      totalBytes: p.totalBytes,
      freeBytes: Math.max(0, p.totalBytes - this.#stored),
      roomQuotaBytes: p.roomQuotaBytes,
      writerQuotaBytes: p.writerQuotaBytes,
      retentionMs: p.retentionMs,
    };
  }

  /**
   * Admits an upload of `id` under mailbox `t` (its signature already checked) by `writer`:
   * refused past a quota or on a closed epoch; otherwise charged to the room epoch and the
   * writer (once per room epoch and blob), and told where to resume.
   */
  admit(
    t: string,
    writer: string,
    blob: { id: BlobId; size: number; recordSize: number },
    now: number,
  ): Promise<Admission> {
    return this.#exclusive(async () => {
      const layout = new BlobLayout(blob.size, blob.recordSize);
      const bytes = layout.cipherSize;
      if (bytes > this.#policy.maxBlobBytes) {
        return refused('TOO_LARGE', `a blob is at most ${this.#policy.maxBlobBytes} bytes here`);
      }
      if ((await this.#kv.get(joinKey('c', t))) !== undefined) {
        return refused('CLOSED', 'that epoch is over: upload with the newest key');
      }
      const complete = await this.#complete(blob.id);
      const storage = stagingName(blob.id, t, writer);
      const stagingKey = joinKey('s', blob.id, storage);
      const staged = await this.#kv.get(stagingKey);
      const ops: KvOperation[] = [];
      const refKey = joinKey('ref', blob.id, t);
      if ((await this.#kv.get(refKey)) === undefined) {
        const room = await this.#count(joinKey('rq', t));
        if (room + bytes > this.#policy.roomQuotaBytes) {
          return refused('QUOTA_EXCEEDED', 'this room has stored all this relay allows for now');
        }
        const written = await this.#count(joinKey('wq', writer));
        if (written + bytes > this.#policy.writerQuotaBytes) {
          return refused('QUOTA_EXCEEDED', 'you have stored all this relay allows: try later');
        }
        ops.push(
          { type: 'put', key: refKey, value: encodeCbor([now, bytes, writer]) },
          countOp(joinKey('rq', t), room + bytes),
          countOp(joinKey('wq', writer), written + bytes),
        );
      }
      let reserve = 0;
      if (complete === undefined && staged === undefined) {
        if (this.#stored + bytes > this.#policy.totalBytes) {
          return refused('QUOTA_EXCEEDED', 'this relay is full: try another relay');
        }
        reserve = bytes;
        ops.push({
          type: 'put',
          key: stagingKey,
          value: encodeCbor([blob.size, blob.recordSize, now, t]),
        });
      }
      await this.#kv.batch(ops);
      this.#stored += reserve;
      const from = complete !== undefined ? layout.count : await this.#held(storage, layout);
      return { kind: 'upload', upload: { id: blob.id, layout, from, storage } };
    });
  }

  /** Keeps record `index` of an upload under way (its length already checked). */
  putRecord(upload: Upload, index: number, record: Uint8Array): Promise<void> {
    return this.#kv.put(joinKey('r', upload.storage, seqKey(index)), record);
  }

  /**
   * An upload's records are all in: it becomes the blob if they hash to its name (unless the
   * blob completed meanwhile: then the copy goes); if not, the copy and the claim go.
   */
  finish(upload: Upload, t: string): Promise<boolean> {
    return this.#exclusive(async () => {
      const stagingKey = joinKey('s', upload.id, upload.storage);
      if ((await this.#kv.get(stagingKey)) === undefined)
        return (await this.#complete(upload.id)) !== undefined;
      const hash = createHash('sha256');
      for (let i = 0; i < upload.layout.count; i++) {
        const record = await this.#kv.get(joinKey('r', upload.storage, seqKey(i)));
        if (record === undefined) return false;
        hash.update(record);
      }
      const matches = Buffer.from(blobHashOf(upload.id)).equals(hash.digest());
      if (matches && (await this.#complete(upload.id)) === undefined) {
        const { size, recordSize } = upload.layout;
        await this.#kv.batch([
          {
            type: 'put',
            key: joinKey('b', upload.id),
            value: encodeCbor([size, recordSize, upload.storage]),
          },
          { type: 'del', key: stagingKey },
        ]);
        return true;
      }
      await this.#dropStaging(upload.id, upload.storage, upload.layout.cipherSize);
      // A failed upload takes its room's claim with it, unless the blob is stored all the same
      // (another member's upload of it completed): junk from one writer spoils no one else's.
      if (!matches && (await this.#complete(upload.id)) === undefined) {
        await this.#dropRef(upload.id, t);
      }
      return matches;
    });
  }

  /** Record `index` of a complete blob (what `/kith/blob/1.0.0` serves). */
  async getRecord(id: BlobId, index: number): Promise<Uint8Array | undefined> {
    const complete = await this.#complete(id);
    if (complete === undefined || index >= complete.layout.count) return undefined;
    return this.#kv.get(joinKey('r', complete.storage, seqKey(index)));
  }

  /** Drops room epoch `t`'s claim on a blob; the blob goes with its last claim. */
  delete(id: BlobId, t: string): Promise<boolean> {
    return this.#exclusive(() => this.#dropRef(id, t));
  }

  /** No more uploads under mailbox key `t` (its epoch is over). */
  close(t: string, now: number): Promise<void> {
    return this.#exclusive(() => this.#kv.put(joinKey('c', t), encodeCbor(now)));
  }

  /** Drops claims older than the retention (and blobs left without one); returns bytes freed. */
  sweep(now: number): Promise<number> {
    return this.#exclusive(async () => {
      const before = this.#stored;
      const expired: [BlobId, string][] = [];
      for await (const [key, value] of this.#kv.entries({ prefix: 'ref/' })) {
        const [at] = decodeCbor(value) as [number];
        const [, id, t] = splitKey(key);
        if (now - at >= this.#policy.retentionMs && id !== undefined && t !== undefined) {
          expired.push([id as BlobId, t]);
        }
      }
      for (const [id, t] of expired) await this.#dropRef(id, t);
      const stale: string[] = [];
      for await (const [key, value] of this.#kv.entries({ prefix: 'c/' })) {
        if (now - (decodeCbor(value) as number) >= CLOSE_KEPT_MS) stale.push(key);
      }
      await this.#kv.batch(stale.map((key) => ({ type: 'del', key }) as const));
      return before - this.#stored;
    });
  }

  // ---- state -----------------------------------------------------------------------------

  #exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #complete(id: BlobId): Promise<{ layout: BlobLayout; storage: string } | undefined> {
    const value = await this.#kv.get(joinKey('b', id));
    if (value === undefined) return undefined;
    const [size, rs, storage] = decodeCbor(value) as [number, number, string];
    return { layout: new BlobLayout(size, rs), storage };
  }

  /** Records of an upload held from index 0 on, without a gap. */
  async #held(storage: string, layout: BlobLayout): Promise<number> {
    let n = 0;
    while (n < layout.count && (await this.#kv.get(joinKey('r', storage, seqKey(n)))) !== undefined)
      n++;
    return n;
  }

  async #count(key: string): Promise<number> {
    const value = await this.#kv.get(key);
    return value === undefined ? 0 : (decodeCbor(value) as number);
  }

  async #dropRef(id: BlobId, t: string): Promise<boolean> {
    const refKey = joinKey('ref', id, t);
    const ref = await this.#kv.get(refKey);
    if (ref === undefined) return false;
    const [, bytes, writer] = decodeCbor(ref) as [number, number, string];
    const room = await this.#count(joinKey('rq', t));
    const written = await this.#count(joinKey('wq', writer));
    await this.#kv.batch([
      { type: 'del', key: refKey },
      countOp(joinKey('rq', t), Math.max(0, room - bytes)),
      countOp(joinKey('wq', writer), Math.max(0, written - bytes)),
    ]);
    // Uploads under way for this room epoch go with its claim.
    for await (const [key, value] of this.#kv.entries({ prefix: keyPrefix('s', id) })) {
      const [size, rs, , owner] = decodeCbor(value) as [number, number, number, string];
      if (owner === t) {
        await this.#dropStaging(id, splitKey(key)[2] ?? '', new BlobLayout(size, rs).cipherSize);
      }
    }
    const claims = this.#kv.keys({ prefix: keyPrefix('ref', id) })[Symbol.asyncIterator]();
    const claimed = (await claims.next()).done !== true;
    await claims.return();
    if (!claimed) {
      const complete = await this.#complete(id);
      if (complete !== undefined) {
        await this.#dropRecords(complete.storage);
        await this.#kv.del(joinKey('b', id));
        this.#stored = Math.max(0, this.#stored - complete.layout.cipherSize);
      }
    }
    return true;
  }

  async #dropStaging(id: BlobId, storage: string, bytes: number): Promise<void> {
    await this.#dropRecords(storage);
    await this.#kv.del(joinKey('s', id, storage));
    this.#stored = Math.max(0, this.#stored - bytes);
  }

  async #dropRecords(storage: string): Promise<void> {
    const keys: string[] = [];
    for await (const key of this.#kv.keys({ prefix: keyPrefix('r', storage) })) {
      keys.push(key);
      if (keys.length === 256) await this.#kv.batch(keys.splice(0).map(del));
    }
    await this.#kv.batch(keys.map(del));
  }
}

function refused(code: RelayBlobRefusal, message: string): Admission {
  return { kind: 'refused', code, message };
}

function countOp(key: string, bytes: number): KvOperation {
  return bytes === 0 ? { type: 'del', key } : { type: 'put', key, value: encodeCbor(bytes) };
}

function del(key: string): KvOperation {
  return { type: 'del', key };
}

function cipherSize(value: Uint8Array): number {
  const [size, rs] = decodeCbor(value) as [number, number];
  return new BlobLayout(size, rs).cipherSize;
}

/** One writer's upload of one blob for one room epoch: nobody else writes its records. */
function stagingName(id: BlobId, t: string, writer: string): string {
  return toHex(createHash('sha256').update(`${id}|${t}|${writer}`).digest()).slice(0, 40);
}
