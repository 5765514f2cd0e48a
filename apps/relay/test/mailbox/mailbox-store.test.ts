import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import {
  KvStore,
  mailboxKeyOf,
  signMailboxAuthorization,
  signMailboxPut,
  signMailboxPutMany,
  signMailboxRead,
  type MailboxKey,
  type MailboxRequest,
} from '@kith/core';
import { MailboxStore } from '../../src/mailbox/mailbox-store.ts';

const topic = 'kith/room/abc';
const key = (epoch: bigint, fill: number): MailboxKey =>
  mailboxKeyOf(epoch, new Uint8Array(32).fill(fill));

async function store(policy?: ConstructorParameters<typeof MailboxStore>[1]) {
  const kv = await KvStore.open(new MemoryLevel<string, Uint8Array>(KvStore.databaseOptions));
  return new MailboxStore(kv, policy);
}

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
const put = (k: MailboxKey, data: Uint8Array): MailboxRequest => ({
  type: 'put',
  topic,
  publicKey: k.keyPair.publicKey,
  data,
  signature: signMailboxPut(k, topic, data),
});
const fetch = (k: MailboxKey, after: bigint, limit = 100): MailboxRequest => ({
  type: 'fetch',
  topic,
  after,
  limit,
  publicKey: k.keyPair.publicKey,
  signature: signMailboxRead(k, topic, after),
});
const bytes = (n: number) => new Uint8Array(10).fill(n);

describe('MailboxStore', () => {
  it('lets the first key claim a topic, then keeps and hands over messages in order', async () => {
    const s = await store();
    const k1 = key(1n, 1);
    expect((await s.handle(authorize(k1, k1), 0, 'writer')).response.type).toBe('ok');
    expect((await s.handle(put(k1, bytes(1)), 0, 'writer')).response).toEqual({
      type: 'ok',
      seq: 1n,
    });
    expect((await s.handle(put(k1, bytes(2)), 0, 'writer')).response).toEqual({
      type: 'ok',
      seq: 2n,
    });
    // A retry of the same message is stored once.
    expect((await s.handle(put(k1, bytes(1)), 0, 'writer')).response).toEqual({
      type: 'ok',
      seq: 1n,
    });
    const all = (await s.handle(fetch(k1, 0n), 0, 'writer')).response;
    expect(all).toEqual({
      type: 'messages',
      messages: [
        { seq: 1n, data: bytes(1) },
        { seq: 2n, data: bytes(2) },
      ],
      more: false,
    });
    const later = (await s.handle(fetch(k1, 1n, 1), 0, 'writer')).response;
    expect(later).toMatchObject({ messages: [{ seq: 2n }], more: false });
    expect((await s.handle({ type: 'status', topic }, 0, 'writer')).response).toEqual({
      type: 'status',
      epoch: 1n,
      nextSeq: 3n,
    });
  });

  it('refuses strangers: no claim over a claimed topic, no writes or reads without a key', async () => {
    const s = await store();
    const member = key(1n, 1);
    const stranger = key(1n, 9);
    await s.handle(authorize(member, member), 0, 'writer');
    expect((await s.handle(authorize(stranger, stranger), 0, 'writer')).response).toMatchObject({
      type: 'refused',
      code: 'UNAUTHORIZED',
    });
    expect((await s.handle(put(stranger, bytes(1)), 0, 'writer')).response).toMatchObject({
      code: 'UNAUTHORIZED',
    });
    expect((await s.handle(fetch(stranger, 0n), 0, 'writer')).response).toMatchObject({
      code: 'UNAUTHORIZED',
    });
    // A member's key with a signature made by someone else is refused too.
    const forged = {
      ...put(member, bytes(3)),
      signature: signMailboxPut(stranger, topic, bytes(3)),
    };
    expect((await s.handle(forged, 0, 'writer')).response).toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('accepts a later epoch’s key vouched for by an earlier accepted key, never the reverse', async () => {
    const s = await store();
    const [k1, k2, k3] = [key(1n, 1), key(2n, 2), key(3n, 3)];
    await s.handle(authorize(k1, k1), 0, 'writer');
    expect((await s.handle(authorize(k3, k1), 0, 'writer')).response.type).toBe('ok');
    expect((await s.handle(put(k3, bytes(1)), 0, 'writer')).response.type).toBe('ok');
    const backwards = key(2n, 7);
    expect((await s.handle(authorize(backwards, k3), 0, 'writer')).response).toMatchObject({
      code: 'UNAUTHORIZED',
    });
    // An unknown key cannot vouch.
    expect((await s.handle(authorize(key(4n, 4), k2), 0, 'writer')).response).toMatchObject({
      code: 'UNAUTHORIZED',
    });
  });

  it('enforces the per-topic quota and frees space when messages expire', async () => {
    const s = await store({
      retentionMs: 1000,
      maxBytesPerTopic: 25,
      maxKeysPerTopic: 8,
      maxBytesPerWriter: 1000,
    });
    const k = key(1n, 1);
    await s.handle(authorize(k, k), 0, 'writer');
    expect((await s.handle(put(k, bytes(1)), 0, 'writer')).response.type).toBe('ok');
    expect((await s.handle(put(k, bytes(2)), 0, 'writer')).response.type).toBe('ok');
    expect((await s.handle(put(k, bytes(3)), 0, 'writer')).response).toMatchObject({
      code: 'QUOTA_EXCEEDED',
    });
    expect(await s.storedBytes()).toBe(20);
    expect(await s.sweep(5000)).toBe(20);
    expect(await s.storedBytes()).toBe(0);
    expect((await s.handle(put(k, bytes(3)), 5000, 'writer')).response).toEqual({
      type: 'ok',
      seq: 3n,
    });
    const left = (await s.handle(fetch(k, 0n), 5000, 'writer')).response;
    expect(left).toMatchObject({ messages: [{ seq: 3n }] });
  });

  it('refuses one writer beyond its quota while others still write', async () => {
    const s = await store({
      retentionMs: 1000,
      maxBytesPerTopic: 1000,
      maxKeysPerTopic: 8,
      maxBytesPerWriter: 15,
    });
    const k = key(1n, 1);
    await s.handle(authorize(k, k), 0, 'greedy');
    expect((await s.handle(put(k, bytes(1)), 0, 'greedy')).response.type).toBe('ok');
    expect((await s.handle(put(k, bytes(2)), 0, 'greedy')).response).toMatchObject({
      code: 'QUOTA_EXCEEDED',
    });
    expect((await s.handle(put(k, bytes(2)), 0, 'modest')).response.type).toBe('ok');
    // Expiry gives the writer its quota back.
    await s.sweep(5000);
    expect((await s.handle(put(k, bytes(3)), 5000, 'greedy')).response.type).toBe('ok');
  });

  it('stores a batch in one go: in order, each retry once, and refused whole when one is forged', async () => {
    const s = await store();
    const k = key(1n, 1);
    await s.handle(authorize(k, k), 0, 'writer');
    const many = (items: Uint8Array[], signer = k): MailboxRequest => ({
      type: 'putMany',
      topic,
      publicKey: k.keyPair.publicKey,
      data: items,
      signature: signMailboxPutMany(signer, topic, items),
    });
    expect((await s.handle(many([bytes(1), bytes(2), bytes(1)]), 0, 'writer')).response).toEqual({
      type: 'ok',
      seq: 2n,
    });
    expect((await s.handle(put(k, bytes(2)), 0, 'writer')).response).toEqual({
      type: 'ok',
      seq: 2n,
    });
    const forged = many([bytes(3), bytes(4)], key(1n, 9));
    expect((await s.handle(forged, 0, 'writer')).response).toMatchObject({ code: 'UNAUTHORIZED' });
    const all = (await s.handle(fetch(k, 0n), 0, 'writer')).response;
    expect(all).toMatchObject({
      messages: [
        { seq: 1n, data: bytes(1) },
        { seq: 2n, data: bytes(2) },
      ],
    });
  });

  it('gives concurrent writers to one topic distinct sequence numbers and counts every byte', async () => {
    const s = await store({
      retentionMs: 1000,
      maxBytesPerTopic: 1 << 20,
      maxKeysPerTopic: 4,
      maxBytesPerWriter: 1 << 20,
    });
    const k1 = key(1n, 1);
    await s.handle(authorize(k1, k1), 0, 'a');
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => s.handle(put(k1, bytes(i + 1)), 0, i % 2 ? 'a' : 'b')),
    );
    const seqs = results.map((r) => (r.response.type === 'ok' ? r.response.seq : -1n));
    expect(new Set(seqs).size).toBe(40);
    const page = await s.handle(fetch(k1, 0n), 0, 'a');
    expect(page.response.type === 'messages' && page.response.messages.length).toBe(40);
    expect(await s.storedBytes()).toBe(400);
    // The counts kept in memory agree with what a sweep frees.
    expect(await s.sweep(5000)).toBe(400);
    expect(await s.storedBytes()).toBe(0);
  });
});
