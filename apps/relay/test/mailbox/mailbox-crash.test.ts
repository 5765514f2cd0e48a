import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import {
  decodeCbor,
  joinKey,
  KvStore,
  type KvDatabase,
  type KvOperation,
  type MailboxKey,
  type MailboxRequest,
  type MailboxResponse,
} from '@kith/core';
import { MailboxStore } from '../../src/mailbox/mailbox-store.ts';
import { fetch, minted, putMany, RELAY } from './requests.ts';

const WRITER = 'writer-peer';
/** Two epochs of one room: two mailboxes, each named by its epoch's mailbox key. */
const k1 = minted(1n, 1);
const k2 = minted(2n, 2);
const policy = { retentionMs: 1000, maxBytesPerTopic: 1 << 20, maxBytesPerWriter: 1 << 20 };

const fetchAll = (k: MailboxKey): MailboxRequest => fetch(k, 0n, 500);
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

/** Puts (with retries), a new epoch's mailbox, expiry, puts after it: what mailboxes live through. */
async function workload(s: MailboxStore): Promise<void> {
  await ask(s, putMany(k1, [msg(1), msg(2), msg(3)]), 0);
  await ask(s, putMany(k1, [msg(4)]), 0);
  await ask(s, putMany(k1, [msg(1), msg(5)]), 0);
  await ask(s, putMany(k2, [msg(6), msg(7)]), 5000);
  await s.sweep(5500);
  await ask(s, putMany(k2, [msg(8), msg(2)]), 6000);
  // Into a mailbox whose messages all expired: its numbers go on.
  await ask(s, putMany(k1, [msg(9), msg(1)]), 6000);
}

describe('MailboxStore across a crash after any write', () => {
  it('reopens consistent from every prefix of its writes: counters match, nothing is overwritten', async () => {
    const { db, writes } = recorded(newDatabase());
    await workload(new MailboxStore(await KvStore.open(db), RELAY, policy));
    expect(writes.length).toBeGreaterThan(5);
    for (let cut = 0; cut <= writes.length; cut++) {
      // The process died after `cut` writes: a new store on what reached the disk.
      const disk = newDatabase();
      for (const ops of writes.slice(0, cut)) await disk.batch(ops.map((o) => ({ ...o })));
      const kv = await KvStore.open(disk);
      const s = new MailboxStore(kv, RELAY, policy);
      const held: { key: MailboxKey; messages: readonly { seq: bigint; data: Uint8Array }[] }[] =
        [];
      let bytes = 0;
      for (const key of [k1, k2]) {
        const before = await ask(s, fetchAll(key), 7000);
        if (before.type !== 'messages') throw new Error(`unreadable after ${cut} writes`);
        const seqs = before.messages.map((m) => m.seq);
        expect(seqs).toEqual([...seqs].sort((a, b) => (a < b ? -1 : 1)));
        bytes += before.messages.reduce((n, m) => n + m.data.length, 0);
        held.push({ key, messages: before.messages });
      }
      expect(await s.storedBytes(), `bytes after ${cut} writes`).toBe(bytes);
      const writer = await kv.get(joinKey('mbw', WRITER));
      expect(writer === undefined ? 0 : decodeCbor(writer), `writer after ${cut}`).toBe(bytes);
      for (const { key, messages } of held) {
        const status = await ask(s, { type: 'status', mailbox: key.keyPair.publicKey }, 7000);
        if (status.type !== 'status') throw new Error('no status');
        const last = messages.at(-1)?.seq ?? 0n;
        expect(status.nextSeq > last, `next seq after ${cut}`).toBe(true);
        // Retries of what it holds are stored once; a new message takes the next number.
        for (const m of messages) {
          expect(await ask(s, putMany(key, [m.data]), 7000)).toEqual({ type: 'ok', seq: m.seq });
        }
        expect(await ask(s, putMany(key, [msg(99)]), 7000)).toEqual({
          type: 'ok',
          seq: status.nextSeq,
        });
        const after = await ask(s, fetchAll(key), 7000);
        expect(after.type === 'messages' ? after.messages.length : -1).toBe(messages.length + 1);
      }
    }
  });
});
