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
  toHex,
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
  /** Bytes one topic may hold. */
  readonly maxBytesPerTopic: number;
  /** Keys kept per topic (newest epochs). */
  readonly maxKeysPerTopic: number;
  /** Bytes held that one peer wrote. */
  readonly maxBytesPerWriter: number;
}

const DEFAULT_MAILBOX_POLICY: MailboxPolicy = {
  retentionMs: 14 * 24 * 3600_000,
  maxBytesPerTopic: 64 * 1024 * 1024,
  maxKeysPerTopic: 64,
  maxBytesPerWriter: 256 * 1024 * 1024,
};

interface TopicMeta {
  nextSeq: bigint;
  bytes: number;
}

/**
 * A relay's mailboxes: ciphertext per conversation topic, written and read only with a key the
 * topic accepted (docs/PROTOCOL.md §12). Storage layout, under `mb/<sha256(topic)>/`: `meta`
 * (next sequence number, bytes held), `key/<epoch>/<public key>` (accepted keys),
 * `msg/<seq>` (received time, data, writer), `dup/<sha256(data)>` (so retries are stored
 * once); and `mbw/<writer peer>` the bytes held that each peer wrote.
 * Signatures are checked as a request arrives; what reads and writes the store runs one
 * request at a time (so a topic's sequence numbers and byte counts never race), while the next
 * requests' signatures are checked during its IO. Byte counts are kept in memory once read.
 */
export class MailboxStore {
  readonly #kv: KvStore;
  readonly #policy: MailboxPolicy;
  /** Accepted keys per topic, read once from the store: every put checks them. */
  readonly #keyCache = new Map<string, { epoch: bigint; hex: string; key: string }[]>();
  /** Topic meta and writer byte counts as stored (write-through; forgotten if a write fails). */
  readonly #metaCache = new Map<string, TopicMeta>();
  readonly #writerCache = new Map<string, number>();
  #queue: Promise<unknown> = Promise.resolve();

  constructor(kv: KvStore, policy: MailboxPolicy = DEFAULT_MAILBOX_POLICY) {
    this.#kv = kv;
    this.#policy = policy;
  }

  /** Handles a request from `writer` (the peer ID of the connection it came over). */
  async handle(
    request: MailboxRequest,
    now: number,
    writer: string,
  ): Promise<{ response: MailboxResponse; outcome: MailboxOutcome }> {
    const refusal = checkSignatures(request);
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
    const t = topicKey(request.topic);
    switch (request.type) {
      case 'status': {
        const keys = await this.#keys(t);
        const meta = await this.#meta(t);
        return {
          response: { type: 'status', epoch: keys.at(-1)?.epoch, nextSeq: meta.nextSeq },
          outcome: { kind: 'other' },
        };
      }
      case 'authorize':
        return this.#authorize(t, request, now);
      case 'put':
        return this.#put(t, request.publicKey, [request.data], now, writer);
      case 'putMany':
        return this.#put(t, request.publicKey, request.data, now, writer);
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

  async #authorize(
    t: string,
    request: Extract<MailboxRequest, { type: 'authorize' }>,
    now: number,
  ): Promise<{ response: MailboxResponse; outcome: MailboxOutcome }> {
    const keys = await this.#keys(t);
    if (keys.some((k) => k.hex === toHex(request.publicKey))) {
      return { response: { type: 'ok', seq: 0n }, outcome: { kind: 'other' } };
    }
    if (keys.length === 0) {
      // An unclaimed topic: the first key claims it, and must sign for itself.
      if (toHex(request.by) !== toHex(request.publicKey)) {
        return refused(
          'UNAUTHORIZED',
          'this topic has no keys yet: claim it with a self-signed key',
        );
      }
    } else {
      const voucher = keys.find((k) => k.hex === toHex(request.by));
      if (voucher === undefined || voucher.epoch >= request.epoch) {
        return refused(
          'UNAUTHORIZED',
          'the vouching key is not an accepted key of an earlier epoch',
        );
      }
    }
    const ops: KvOperation[] = [
      {
        type: 'put',
        key: joinKey('mb', t, 'key', seqKey(request.epoch), toHex(request.publicKey)),
        value: encodeCbor([now]),
      },
    ];
    // Keep the newest epochs' keys only: old epochs' members have moved on.
    const excess = keys.length + 1 - this.#policy.maxKeysPerTopic;
    for (const old of keys.slice(0, Math.max(0, excess))) ops.push({ type: 'del', key: old.key });
    await this.#kv.batch(ops);
    this.#keyCache.delete(t);
    return { response: { type: 'ok', seq: 0n }, outcome: { kind: 'other' } };
  }

  async #put(
    t: string,
    publicKey: Uint8Array,
    data: readonly Uint8Array[],
    now: number,
    writer: string,
  ): Promise<{ response: MailboxResponse; outcome: MailboxOutcome }> {
    if (!(await this.#accepts(t, publicKey))) {
      return refused('UNAUTHORIZED', 'this key may not write to this mailbox');
    }
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
    if (!(await this.#accepts(t, request.publicKey))) {
      return refused('UNAUTHORIZED', 'this key may not read this mailbox');
    }
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

  async #keys(t: string): Promise<{ epoch: bigint; hex: string; key: string }[]> {
    const cached = this.#keyCache.get(t);
    if (cached !== undefined) return cached;
    const out: { epoch: bigint; hex: string; key: string }[] = [];
    for await (const key of this.#kv.keys({ prefix: keyPrefix('mb', t, 'key') })) {
      const parts = splitKey(key);
      out.push({ epoch: parseSeqKey(parts[3] ?? ''), hex: parts[4] ?? '', key });
    }
    // Forgetting is only a re-read: keep the cache bounded however many topics there are.
    if (this.#keyCache.size >= 10_000) this.#keyCache.clear();
    this.#keyCache.set(t, out);
    return out;
  }

  async #accepts(t: string, publicKey: Uint8Array): Promise<boolean> {
    const hex = toHex(publicKey);
    return (await this.#keys(t)).some((k) => k.hex === hex);
  }

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

function topicKey(topic: string): string {
  return createHash('sha256').update(topic).digest('hex');
}

function hashHex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
