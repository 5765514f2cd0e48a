import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import { encodeCbor, KvStore, seqKey, signMailboxPut } from '@kith/core';
import { MailboxStore, type MailboxPolicy } from '../../src/mailbox/mailbox-store.ts';
import { bytes, fetch, forged, minted, put, putMany, RELAY } from './requests.ts';

async function store(policy?: MailboxPolicy, kv?: KvStore) {
  const db = kv ?? (await KvStore.open(new MemoryLevel(KvStore.databaseOptions)));
  return new MailboxStore(db, RELAY, policy);
}

describe('MailboxStore', () => {
  it('keeps and hands over a mailbox’s messages in order, each retry once', async () => {
    const s = await store();
    const k1 = minted(1n, 1);
    expect(
      (await s.handle({ type: 'status', mailbox: k1.keyPair.publicKey }, 0, 'w')).response,
    ).toEqual({ type: 'status', nextSeq: 1n });
    expect((await s.handle(put(k1, bytes(1)), 0, 'w')).response).toEqual({ type: 'ok', seq: 1n });
    expect((await s.handle(put(k1, bytes(2)), 0, 'w')).response).toEqual({ type: 'ok', seq: 2n });
    expect((await s.handle(put(k1, bytes(1)), 0, 'w')).response).toEqual({ type: 'ok', seq: 1n });
    expect((await s.handle(fetch(k1), 0, 'w')).response).toEqual({
      type: 'messages',
      messages: [
        { seq: 1n, data: bytes(1) },
        { seq: 2n, data: bytes(2) },
      ],
      more: false,
    });
    const later = (await s.handle(fetch(k1, 1n, 1), 0, 'w')).response;
    expect(later).toMatchObject({ messages: [{ seq: 2n }], more: false });
    expect(
      (await s.handle({ type: 'status', mailbox: k1.keyPair.publicKey }, 0, 'w')).response,
    ).toEqual({ type: 'status', nextSeq: 3n });
    // Another key is another mailbox: it sees none of these.
    const k2 = minted(1n, 2);
    expect((await s.handle(fetch(k2), 0, 'w')).response).toMatchObject({ messages: [] });
  });

  it('refuses a put or read not signed by the mailbox’s own key, or signed for another relay', async () => {
    const s = await store();
    const member = minted(1n, 1);
    const stranger = minted(1n, 9);
    expect((await s.handle(put(member, bytes(1)), 0, 'w')).response.type).toBe('ok');
    const refusals = [
      forged(put(stranger, bytes(2)), member),
      forged(putMany(stranger, [bytes(2)]), member),
      forged(fetch(stranger), member),
      // The member's own signatures, made for relay B and replayed here by B's operator.
      put(member, bytes(3), 'another-relay'),
      fetch(member, 0n, 100, 'another-relay'),
      // A signature over other data, or a batch signed by someone else.
      { ...put(member, bytes(4)), signature: signMailboxPut(member, RELAY, bytes(5)) },
      putMany(member, [bytes(6)], stranger),
    ];
    for (const request of refusals) {
      expect((await s.handle(request, 0, 'w')).response).toMatchObject({
        type: 'refused',
        code: 'UNAUTHORIZED',
      });
    }
    expect((await s.handle(fetch(member), 0, 'w')).response).toMatchObject({
      messages: [{ seq: 1n, data: bytes(1) }],
    });
  });

  it('enforces the per-mailbox quota and frees space when messages expire', async () => {
    const s = await store({ retentionMs: 1000, maxBytesPerTopic: 25, maxBytesPerWriter: 1000 });
    const k = minted(1n, 1);
    expect((await s.handle(put(k, bytes(1)), 0, 'w')).response.type).toBe('ok');
    expect((await s.handle(put(k, bytes(2)), 0, 'w')).response.type).toBe('ok');
    expect((await s.handle(put(k, bytes(3)), 0, 'w')).response).toMatchObject({
      code: 'QUOTA_EXCEEDED',
    });
    expect(await s.storedBytes()).toBe(20);
    expect(await s.sweep(5000)).toBe(20);
    expect(await s.storedBytes()).toBe(0);
    expect((await s.handle(put(k, bytes(3)), 5000, 'w')).response).toEqual({ type: 'ok', seq: 3n });
    const left = (await s.handle(fetch(k), 5000, 'w')).response;
    expect(left).toMatchObject({ messages: [{ seq: 3n }] });
  });

  it('refuses one writer beyond its quota while others still write', async () => {
    const s = await store({ retentionMs: 1000, maxBytesPerTopic: 1000, maxBytesPerWriter: 15 });
    const k = minted(1n, 1);
    expect((await s.handle(put(k, bytes(1)), 0, 'greedy')).response.type).toBe('ok');
    expect((await s.handle(put(k, bytes(2)), 0, 'greedy')).response).toMatchObject({
      code: 'QUOTA_EXCEEDED',
    });
    expect((await s.handle(put(k, bytes(2)), 0, 'modest')).response.type).toBe('ok');
    await s.sweep(5000);
    expect((await s.handle(put(k, bytes(3)), 5000, 'greedy')).response.type).toBe('ok');
  });

  it('stores a batch in one go: in order, each retry once, and refused whole when one is forged', async () => {
    const s = await store();
    const k = minted(1n, 1);
    expect((await s.handle(putMany(k, [bytes(1), bytes(2), bytes(1)]), 0, 'w')).response).toEqual({
      type: 'ok',
      seq: 2n,
    });
    expect((await s.handle(put(k, bytes(2)), 0, 'w')).response).toEqual({ type: 'ok', seq: 2n });
    const bad = putMany(k, [bytes(3), bytes(4)], minted(1n, 9));
    expect((await s.handle(bad, 0, 'w')).response).toMatchObject({ code: 'UNAUTHORIZED' });
    expect((await s.handle(fetch(k), 0, 'w')).response).toMatchObject({
      messages: [
        { seq: 1n, data: bytes(1) },
        { seq: 2n, data: bytes(2) },
      ],
    });
  });

  it('gives concurrent writers to one mailbox distinct sequence numbers and counts every byte', async () => {
    const s = await store({
      retentionMs: 1000,
      maxBytesPerTopic: 1 << 20,
      maxBytesPerWriter: 1 << 20,
    });
    const k1 = minted(1n, 1);
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => s.handle(put(k1, bytes(i + 1)), 0, i % 2 ? 'a' : 'b')),
    );
    const seqs = results.map((r) => (r.response.type === 'ok' ? r.response.seq : -1n));
    expect(new Set(seqs).size).toBe(40);
    const page = await s.handle(fetch(k1), 0, 'a');
    expect(page.response.type === 'messages' && page.response.messages.length).toBe(40);
    expect(await s.storedBytes()).toBe(400);
    expect(await s.sweep(5000)).toBe(400);
    expect(await s.storedBytes()).toBe(0);
  });

  it('upgrades layout 1: the keys topics accepted are deleted, its messages expire as before', async () => {
    const kv = await KvStore.open(new MemoryLevel(KvStore.databaseOptions));
    const t = 'ab'.repeat(32);
    await kv.batch([
      { type: 'put', key: `mb/${t}/meta`, value: encodeCbor([2n, 10]) },
      { type: 'put', key: `mb/${t}/key/${seqKey(1n)}/${'cd'.repeat(32)}`, value: encodeCbor([0]) },
      { type: 'put', key: `mb/${t}/key/${seqKey(2n)}/${'ef'.repeat(32)}`, value: encodeCbor([0]) },
      { type: 'put', key: `mb/${t}/msg/${seqKey(1n)}`, value: encodeCbor([0, bytes(1), 'w']) },
      { type: 'put', key: 'mbw/w', value: encodeCbor(10) },
    ]);
    const s = await store({ retentionMs: 1000, maxBytesPerTopic: 100, maxBytesPerWriter: 100 }, kv);
    expect(await s.upgrade()).toBe(2);
    expect(await s.upgrade()).toBe(0);
    const left: string[] = [];
    for await (const key of kv.keys({ prefix: 'mb/' })) left.push(key);
    expect(left).toEqual([`mb/${t}/meta`, `mb/${t}/msg/${seqKey(1n)}`]);
    expect(await s.sweep(5000)).toBe(10);
  });
});
