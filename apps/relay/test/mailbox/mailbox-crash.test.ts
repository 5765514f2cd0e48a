import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import {
  decodeCbor,
  joinKey,
  KvStore,
  mailboxKeyOf,
  signMailboxAuthorization,
  signMailboxPutMany,
  signMailboxRead,
  type KvDatabase,
  type KvOperation,
  type MailboxKey,
  type MailboxRequest,
  type MailboxResponse,
} from '@kith/core';
import { MailboxStore } from '../../src/mailbox/mailbox-store.ts';

const topic = 'kith/room/crash';
const WRITER = 'writer-peer';
const k1 = mailboxKeyOf(1n, new Uint8Array(32).fill(1));
const k2 = mailboxKeyOf(2n, new Uint8Array(32).fill(2));
const policy = {
  retentionMs: 1000,
  maxBytesPerTopic: 1 << 20,
  maxKeysPerTopic: 64,
  maxBytesPerWriter: 1 << 20,
};

const authorize = (next: MailboxKey, by: MailboxKey): MailboxRequest => ({
  type: 'authorize',
  topic,
  epoch: next.epoch,
  publicKey: next.keyPair.publicKey,
  by: by.keyPair.publicKey,
  signature: signMailboxAuthorization(by, topic, {
    epoch: next.epoch,
    publicKey: next.keyPair.publicKey,
  }),
});
const putMany = (k: MailboxKey, data: Uint8Array[]): MailboxRequest => ({
  type: 'putMany',
  topic,
  publicKey: k.keyPair.publicKey,
  data,
  signature: signMailboxPutMany(k, topic, data),
});
const fetchAll = (k: MailboxKey): MailboxRequest => ({
  type: 'fetch',
  topic,
  after: 0n,
  limit: 500,
  publicKey: k.keyPair.publicKey,
  signature: signMailboxRead(k, topic, 0n),
});
const msg = (n: number, size = 10 + n): Uint8Array => new Uint8Array(size).fill(n);

function newDatabase(): MemoryLevel<string, Uint8Array> {
  return new MemoryLevel<string, Uint8Array>(KvStore.databaseOptions);
}

/** The database, with every write it is asked for recorded, in order: one entry per write. */
function recorded(db: MemoryLevel<string, Uint8Array>): {
  db: KvDatabase;
  writes: KvOperation[][];
} {
  const writes: KvOperation[][] = [];
  const proxy = new Proxy(db, {
    get(target, prop, receiver) {
      if (prop === 'batch') {
        return (ops: KvOperation[]) => {
          writes.push(ops.map((o) => ({ ...o })));
          return target.batch(ops);
        };
      }
      if (prop === 'put') {
        return (key: string, value: Uint8Array) => {
          writes.push([{ type: 'put', key, value }]);
          return target.put(key, value);
        };
      }
      if (prop === 'del') {
        return (key: string) => {
          writes.push([{ type: 'del', key }]);
          return target.del(key);
        };
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function'
        ? ((value as (...args: unknown[]) => unknown).bind(target) as unknown)
        : value;
    },
  });
  return { db: proxy, writes };
}

const ask = async (s: MailboxStore, r: MailboxRequest, now: number): Promise<MailboxResponse> =>
  (await s.handle(r, now, WRITER)).response;

/** Keys, puts (with retries), a new epoch's key, expiry: what a mailbox lives through. */
async function workload(s: MailboxStore): Promise<void> {
  await ask(s, authorize(k1, k1), 0);
  await ask(s, putMany(k1, [msg(1), msg(2), msg(3)]), 0);
  await ask(s, putMany(k1, [msg(4)]), 0);
  await ask(s, putMany(k1, [msg(1), msg(5)]), 0);
  await ask(s, authorize(k2, k1), 0);
  await ask(s, putMany(k2, [msg(6), msg(7)]), 5000);
  await s.sweep(5500);
  await ask(s, putMany(k2, [msg(8), msg(2)]), 6000);
}

describe('MailboxStore across a crash after any write', () => {
  it('reopens consistent from every prefix of its writes: counters match, nothing is overwritten', async () => {
    const { db, writes } = recorded(newDatabase());
    await workload(new MailboxStore(await KvStore.open(db), policy));
    expect(writes.length).toBeGreaterThan(5);
    for (let cut = 0; cut <= writes.length; cut++) {
      // The process died after `cut` writes: a new store on what reached the disk.
      const disk = newDatabase();
      for (const ops of writes.slice(0, cut)) await disk.batch(ops.map((o) => ({ ...o })));
      const kv = await KvStore.open(disk);
      const s = new MailboxStore(kv, policy);
      let key: MailboxKey | undefined;
      for (const k of [k2, k1]) {
        if ((await ask(s, fetchAll(k), 7000)).type === 'messages') {
          key = k;
          break;
        }
      }
      if (key === undefined) {
        expect(await s.storedBytes()).toBe(0);
        continue;
      }
      const before = await ask(s, fetchAll(key), 7000);
      if (before.type !== 'messages') throw new Error('unreadable');
      const seqs = before.messages.map((m) => m.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => (a < b ? -1 : 1)));
      const bytes = before.messages.reduce((n, m) => n + m.data.length, 0);
      expect(await s.storedBytes(), `bytes after ${cut} writes`).toBe(bytes);
      const writer = await kv.get(joinKey('mbw', WRITER));
      expect(writer === undefined ? 0 : decodeCbor(writer), `writer after ${cut}`).toBe(bytes);
      const status = await ask(s, { type: 'status', topic }, 7000);
      if (status.type !== 'status') throw new Error('no status');
      expect(status.nextSeq > (seqs.at(-1) ?? 0n), `next seq after ${cut}`).toBe(true);
      // Retries of what it holds are stored once; a new message takes the next number.
      for (const m of before.messages) {
        expect(await ask(s, putMany(key, [m.data]), 7000)).toEqual({ type: 'ok', seq: m.seq });
      }
      expect(await ask(s, putMany(key, [msg(99)]), 7000)).toEqual({
        type: 'ok',
        seq: status.nextSeq,
      });
      const after = await ask(s, fetchAll(key), 7000);
      expect(after.type === 'messages' ? after.messages.length : -1).toBe(
        before.messages.length + 1,
      );
    }
  });
});
