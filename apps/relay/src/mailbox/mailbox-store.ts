import { createHash } from 'node:crypto';
import {
  decodeCbor,
  encodeCbor,
  joinKey,
  keyPrefix,
  parseSeqKey,
  prefixRange,
  seqKey,
  splitKey,
  MailboxLimits,
  type KvOperation,
  type KvStore,
  type MailboxRequest,
  type MailboxResponse,
} from '@kith/core';
import { checkSignatures, refused, type MailboxOutcome } from './mailbox-checks.ts';

export interface MailboxPolicy {
  /** How long a message is kept (ms). */
  readonly retentionMs: number;
  /** Bytes one mailbox (one epoch of one room, on its branch) may hold. */
  readonly maxBytesPerTopic: number;
  /** Bytes held that one peer wrote. */
  readonly maxBytesPerWriter: number;
}

const DEFAULT_MAILBOX_POLICY: MailboxPolicy = {
  retentionMs: 14 * 24 * 3600_000,
  maxBytesPerTopic: 64 * 1024 * 1024,
  maxBytesPerWriter: 256 * 1024 * 1024,
};

interface TopicMeta {
  nextSeq: bigint;
  bytes: number;
}

/**
 * A relay's mailboxes: ciphertext per room epoch, each mailbox named by the epoch's mailbox
 * public key and written and read only with requests that key signed (docs/PROTOCOL.md §12).
 * There is no key state: a mailbox accepts its own key and no other, so nobody can claim,
 * squat or crowd out a mailbox, and a member removed at an epoch's start never holds its key.
 * Storage layout, under `mb/<t>/` with `t` = SHA-256("kith/mailbox/v2" || public key): `meta`
 * (next sequence number, bytes held), `msg/<seq>` (received time, data, writer),
 * `dup/<sha256(data)>` (so retries are stored once); and `mbw/<writer peer>` the bytes held
 * that each peer wrote.
 * Signatures are checked as a request arrives; what reads and writes the store runs one
 * request at a time (so a topic's sequence numbers and byte counts never race), while the next
 * requests' signatures are checked during its IO. Byte counts are kept in memory once read.
 */
export class MailboxStore {
  readonly #kv: KvStore;
  readonly #policy: MailboxPolicy;
  /** This relay's peer ID: every signature names it, so none is replayed from another relay. */
  readonly #relay: string;
  /** Topic meta and writer byte counts as stored (write-through; forgotten if a write fails). */
  readonly #metaCache = new Map<string, TopicMeta>();
  readonly #writerCache = new Map<string, number>();
  #queue: Promise<unknown> = Promise.resolve();

  constructor(kv: KvStore, relay: string, policy: MailboxPolicy = DEFAULT_MAILBOX_POLICY) {
    this.#kv = kv;
    this.#relay = relay;
    this.#policy = policy;
  }

  /** Handles a request from `writer` (the peer ID of the connection it came over). */
  async handle(
    request: MailboxRequest,
    now: number,
    writer: string,
  ): Promise<{ response: MailboxResponse; outcome: MailboxOutcome }> {
    const refusal = checkSignatures(request, this.#relay);
    if (refusal !== undefined) return refusal;
    return this.#exclusive(() => this.#apply(request, now, writer));
  }

  /** Expires messages older than the retention; returns the bytes freed. */
  sweep(now: number): Promise<number> {
    return this.#exclusive(() => this.#sweep(now));
  }

  #exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #apply(
    request: MailboxRequest,
    now: number,
    writer: string,
  ): Promise<{ response: MailboxResponse; outcome: MailboxOutcome }> {
    const t = mailboxKey(request.mailbox);
    switch (request.type) {
      case 'status': {
        const meta = await this.#meta(t);
        return { response: { type: 'status', nextSeq: meta.nextSeq }, outcome: { kind: 'other' } };
      }
      case 'put':
        return this.#put(t, [request.data], now, writer);
      case 'putMany':
        return this.#put(t, request.data, now, writer);
      case 'fetch':
        return this.#fetch(t, request);
    }
  }

  async #sweep(now: number): Promise<number> {
    let freed = 0;
    const topics = new Set<string>();
    for await (const key of this.#kv.keys({ prefix: 'mb/' })) {
      const t = splitKey(key)[1];
      if (t !== undefined) topics.add(t);
    }
    for (const t of topics) {
      const ops: KvOperation[] = [];
      let bytes = 0;
      const byWriter = new Map<string, number>();
      for await (const [key, value] of this.#kv.entries({ prefix: keyPrefix('mb', t, 'msg') })) {
        const [receivedAt, data, writer] = decodeCbor(value) as [number, Uint8Array, string];
        if (now - receivedAt < this.#policy.retentionMs) break;
        ops.push({ type: 'del', key });
        ops.push({ type: 'del', key: joinKey('mb', t, 'dup', hashHex(data)) });
        bytes += data.length;
        byWriter.set(writer, (byWriter.get(writer) ?? 0) + data.length);
      }
      if (ops.length === 0) continue;
      const meta = await this.#meta(t);
      meta.bytes = Math.max(0, meta.bytes - bytes);
      ops.push(this.#metaOp(t, meta));
      const writers = new Map<string, number>();
      for (const [writer, n] of byWriter) {
        writers.set(writer, Math.max(0, (await this.#writerBytes(writer)) - n));
      }
      for (const [writer, held] of writers) ops.push(this.#writerOp(writer, held));
      await this.#write(ops, t, writers.keys());
      this.#metaCache.set(t, meta);
      for (const [writer, held] of writers) this.#writerCache.set(writer, held);
      freed += bytes;
    }
    return freed;
  }

  /**
   * Moves a store written by layout 1 (one mailbox per topic, with the keys it accepted under
   * `mb/<t>/key/`) to layout 2: the keys are deleted, so nothing those keys allowed survives;
   * layout-1 messages stay until retention deletes them (no layout-2 mailbox is named like a
   * topic). Runs once; `mbl` records the layout.
   */
  async upgrade(): Promise<number> {
    return this.#exclusive(async () => {
      if ((await this.#kv.get('mbl')) !== undefined) return 0;
      const ops: KvOperation[] = [];
      for await (const key of this.#kv.keys({ prefix: 'mb/' })) {
        if (splitKey(key)[2] === 'key') ops.push({ type: 'del', key });
      }
      ops.push({ type: 'put', key: 'mbl', value: encodeCbor(2) });
      await this.#kv.batch(ops);
      return ops.length - 1;
    });
  }

  /** Bytes held in all mailboxes (for the stored-bytes gauge). */
  async storedBytes(): Promise<number> {
    let total = 0;
    for await (const [key, value] of this.#kv.entries({ prefix: 'mb/' })) {
      if (!key.endsWith('/meta')) continue;
      total += (decodeCbor(value) as [bigint, number])[1];
    }
    return total;
  }

  // ---- requests --------------------------------------------------------------------------

  async #put(
    t: string,
    data: readonly Uint8Array[],
    now: number,
    writer: string,
  ): Promise<{ response: MailboxResponse; outcome: MailboxOutcome }> {
    // Retries and copies from several members are stored once.
    const dups = data.map((d) => joinKey('mb', t, 'dup', hashHex(d)));
    const existing = await this.#kv.getMany(dups);
    const fresh = new Map<string, Uint8Array>();
    let lastSeq = 0n;
    data.forEach((d, i) => {
      const dup = dups[i] ?? '';
      const held = existing[i];
      if (held !== undefined) lastSeq = BigInt(decodeCbor(held) as number | bigint);
      else fresh.set(dup, d);
    });
    if (fresh.size === 0)
      return { response: { type: 'ok', seq: lastSeq }, outcome: { kind: 'other' } };
    const bytes = [...fresh.values()].reduce((n, d) => n + d.length, 0);
    const meta = await this.#meta(t);
    if (meta.bytes + bytes > this.#policy.maxBytesPerTopic) {
      return refused('QUOTA_EXCEEDED', 'this mailbox is full: messages expire after retention');
    }
    const written = await this.#writerBytes(writer);
    if (written + bytes > this.#policy.maxBytesPerWriter) {
      return refused('QUOTA_EXCEEDED', 'you have stored all this relay allows you: try later');
    }
    const ops: KvOperation[] = [];
    for (const [dup, data] of fresh) {
      lastSeq = meta.nextSeq;
      meta.nextSeq += 1n;
      ops.push(
        {
          type: 'put',
          key: joinKey('mb', t, 'msg', seqKey(lastSeq)),
          value: encodeCbor([now, data, writer]),
        },
        { type: 'put', key: dup, value: encodeCbor(lastSeq) },
      );
    }
    meta.bytes += bytes;
    ops.push(this.#metaOp(t, meta), this.#writerOp(writer, written + bytes));
    await this.#write(ops, t, [writer]);
    this.#metaCache.set(t, meta);
    this.#writerCache.set(writer, written + bytes);
    return {
      response: { type: 'ok', seq: lastSeq },
      outcome: { kind: 'stored', bytes, messages: fresh.size },
    };
  }

  async #fetch(
    t: string,
    request: Extract<MailboxRequest, { type: 'fetch' }>,
  ): Promise<{ response: MailboxResponse; outcome: MailboxOutcome }> {
    const messages: { seq: bigint; data: Uint8Array }[] = [];
    let size = 0;
    let more = false;
    const from = joinKey('mb', t, 'msg', seqKey(request.after + 1n));
    const end = prefixRange(keyPrefix('mb', t, 'msg')).lt;
    for await (const [key, value] of this.#kv.entries(
      end === undefined ? { gte: from } : { gte: from, lt: end },
    )) {
      const [, data] = decodeCbor(value) as [number, Uint8Array, string];
      if (messages.length >= request.limit || size + data.length > MailboxLimits.maxResponseBytes) {
        more = true;
        break;
      }
      messages.push({ seq: parseSeqKey(splitKey(key).at(-1) ?? ''), data });
      size += data.length;
    }
    return {
      response: { type: 'messages', messages, more },
      outcome: { kind: 'served', messages: messages.length },
    };
  }

  // ---- state -----------------------------------------------------------------------------

  /** A copy of a topic's meta (callers change it, then store it with `#write`). */
  async #meta(t: string): Promise<TopicMeta> {
    const cached = this.#metaCache.get(t);
    if (cached !== undefined) return { ...cached };
    const value = await this.#kv.get(joinKey('mb', t, 'meta'));
    if (value === undefined) return { nextSeq: 1n, bytes: 0 };
    const [nextSeq, bytes] = decodeCbor(value) as [bigint | number, number];
    bounded(this.#metaCache).set(t, { nextSeq: BigInt(nextSeq), bytes });
    return { nextSeq: BigInt(nextSeq), bytes };
  }

  async #writerBytes(writer: string): Promise<number> {
    const cached = this.#writerCache.get(writer);
    if (cached !== undefined) return cached;
    const value = await this.#kv.get(joinKey('mbw', writer));
    const bytes = value === undefined ? 0 : (decodeCbor(value) as number);
    bounded(this.#writerCache).set(writer, bytes);
    return bytes;
  }

  /** Writes a batch; if it fails, the cached counts it meant to change are read again later. */
  async #write(ops: KvOperation[], t: string, writers: Iterable<string>): Promise<void> {
    try {
      await this.#kv.batch(ops);
    } catch (error) {
      this.#metaCache.delete(t);
      for (const w of writers) this.#writerCache.delete(w);
      throw error;
    }
  }

  #writerOp(writer: string, bytes: number): KvOperation {
    return { type: 'put', key: joinKey('mbw', writer), value: encodeCbor(bytes) };
  }

  #metaOp(t: string, meta: TopicMeta): KvOperation {
    return {
      type: 'put',
      key: joinKey('mb', t, 'meta'),
      value: encodeCbor([meta.nextSeq, meta.bytes]),
    };
  }
}

/** Caches of counts are only shortcuts: past 10,000 entries they start again empty. */
function bounded<K, V>(cache: Map<K, V>): Map<K, V> {
  if (cache.size >= 10_000) cache.clear();
  return cache;
}

/** A mailbox's storage name: never the hash of a topic text that layout 1 stored under. */
function mailboxKey(publicKey: Uint8Array): string {
  return createHash('sha256').update('kith/mailbox/v2').update(publicKey).digest('hex');
}

function hashHex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
