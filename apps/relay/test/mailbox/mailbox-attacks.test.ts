import { MemoryLevel } from 'memory-level';
import { beforeAll, describe, expect, it } from 'vitest';
import { KvStore, type KithClient, type MailboxKey, type MailboxRequest } from '@kith/core';
import { World } from '../../../../packages/core/test/client/world.ts';
import { MailboxStore, type MailboxPolicy } from '../../src/mailbox/mailbox-store.ts';
import { bytes, fetch, forged, minted, put, putMany, RELAY } from './requests.ts';

/**
 * The attacks of issue 13 (item 7) on a relay's mailboxes, with the mailbox keys of real
 * members (KithClients on the simulator): a member removed at the commit that starts epoch
 * n+1, strangers, and peer IDs minted by the thousand.
 */
const POLICY: MailboxPolicy = {
  retentionMs: 60_000,
  maxBytesPerTopic: 1000,
  maxBytesPerWriter: 400,
};

async function store(): Promise<MailboxStore> {
  return new MailboxStore(
    await KvStore.open(new MemoryLevel(KvStore.databaseOptions)),
    RELAY,
    POLICY,
  );
}

async function keysOf(client: KithClient, roomId: Parameters<KithClient['mailboxKeys']>[0]) {
  const found = await client.mailboxKeys(roomId);
  if (found === undefined) throw new Error('not in the room');
  return found.keys;
}

function head(keys: readonly MailboxKey[]): MailboxKey {
  const last = keys.at(-1);
  if (last === undefined) throw new Error('no keys');
  return last;
}

const code = async (s: MailboxStore, request: MailboxRequest, writer = 'w'): Promise<string> => {
  const { response } = await s.handle(request, 0, writer);
  return response.type === 'refused' ? response.code : response.type;
};

describe('relay mailboxes against a removed member, strangers and minted peer IDs', () => {
  /** Every key the removed member holds: the retained epochs up to the one it was removed in. */
  let removedKeys: MailboxKey[] = [];
  /** The members' keys after the removal, and after one more epoch. */
  let after: MailboxKey;
  let later: MailboxKey;
  let members: [KithClient, KithClient];

  beforeAll(async () => {
    const world = new World(51);
    const [a, b, c] = [await world.add('a'), await world.add('b'), await world.add('c')];
    const roomId = await a.createRoom({ name: 'r' });
    await world.invite(a, roomId, [b, c]);
    removedKeys = await keysOf(c, roomId);
    await a.remove(roomId, c.userId);
    await world.settle();
    after = head(await keysOf(a, roomId));
    expect(head(await keysOf(b, roomId)).keyPair.publicKey).toEqual(after.keyPair.publicKey);
    await a.setRoomProfile(roomId, { name: 'r2' });
    await world.settle();
    later = head(await keysOf(a, roomId));
    expect(later.epoch).toBe(after.epoch + 1n);
    members = [a, b];
  }, 60_000);

  it('a removed member, with every key it kept or a key it names epoch 2^62, opens no later mailbox', async () => {
    const s = await store();
    const selfNamed = minted(2n ** 62n, 77);
    for (const target of [after, later]) {
      for (const k of [...removedKeys, selfNamed]) {
        expect(await code(s, forged(put(k, bytes(1)), target))).toBe('UNAUTHORIZED');
        expect(await code(s, forged(putMany(k, [bytes(1)]), target))).toBe('UNAUTHORIZED');
        expect(await code(s, forged(fetch(k), target))).toBe('UNAUTHORIZED');
      }
    }
    // Its self-named key names a mailbox of its own, which no member reads.
    expect(await code(s, put(selfNamed, bytes(2)))).toBe('ok');
    expect(await code(s, put(after, bytes(3)))).toBe('ok');
    expect((await s.handle(fetch(after), 0, 'w')).response).toEqual({
      type: 'messages',
      messages: [{ seq: 1n, data: bytes(3) }],
      more: false,
    });
    // What it keeps is the mailbox of the epoch it was removed in, whose messages it could
    // decrypt anyway: one epoch, never more.
    expect(await code(s, fetch(head(removedKeys)))).toBe('messages');
    expect(removedKeys.every((k) => k.epoch < after.epoch)).toBe(true);
  });

  it('a flood of minted keys locks no member out of the room’s mailbox', async () => {
    const s = await store();
    for (let i = 0; i < 200; i++) {
      expect(await code(s, put(minted(BigInt(i), i), bytes(i)), `mint-${i}`)).toBe('ok');
    }
    expect(await code(s, put(after, bytes(1)), 'member-a')).toBe('ok');
    expect(await code(s, put(after, bytes(2)), 'member-b')).toBe('ok');
    expect((await s.handle(fetch(after), 0, 'member-b')).response).toMatchObject({
      messages: [{ seq: 1n }, { seq: 2n }],
      more: false,
    });
  });

  it('nobody outside an epoch claims, writes or reads its mailbox first, even knowing its name', async () => {
    const s = await store();
    // A relay operator that saw the members' mailbox key elsewhere, or a stranger told it.
    const stranger = minted(after.epoch, 99);
    expect(await code(s, forged(put(stranger, bytes(9)), after))).toBe('UNAUTHORIZED');
    expect(await code(s, forged(fetch(stranger), after))).toBe('UNAUTHORIZED');
    // A member's request signed for another relay is refused here, not replayed.
    expect(await code(s, put(after, bytes(9), 'another-relay'))).toBe('UNAUTHORIZED');
    expect(await code(s, fetch(after, 0n, 100, 'another-relay'))).toBe('UNAUTHORIZED');
    // So the members' first message is the mailbox's first.
    expect((await s.handle(put(after, bytes(1)), 0, 'member')).response).toEqual({
      type: 'ok',
      seq: 1n,
    });
  });

  it('minted peer IDs fill only the removed member’s last mailbox, never the members’ quota', async () => {
    const s = await store();
    const last = head(removedKeys);
    // 1000 bytes of quota, 400 per peer: a fresh peer ID per write does not help past 1000.
    let refused = 0;
    for (let i = 0; i < 30; i++) {
      const result = await code(s, put(last, bytes(i, 100)), `minted-${i}`);
      if (result === 'QUOTA_EXCEEDED') refused++;
    }
    expect(refused).toBeGreaterThan(0);
    expect(await s.storedBytes()).toBe(1000);
    // The members' mailboxes of every later epoch keep their whole quota.
    for (const k of [after, later]) {
      expect(await code(s, put(k, bytes(1, 200)), 'member-a')).toBe('ok');
      expect(await code(s, put(k, bytes(2, 200)), 'member-b')).toBe('ok');
    }
  });

  it('what a member writes is never refused because a stranger or the removed member wrote first', async () => {
    const s = await store();
    // Strangers fill mailboxes of their own from minted peers; the removed member fills its
    // last epoch's and tries the members'.
    for (let i = 0; i < 20; i++) {
      for (let j = 0; j < 3; j++)
        await s.handle(put(minted(1n, 100 + i), bytes(j, 300)), 0, `s-${i}-${j}`);
    }
    for (let j = 0; j < 5; j++) await s.handle(put(head(removedKeys), bytes(j, 300)), 0, `r-${j}`);
    for (const k of removedKeys) await s.handle(forged(put(k, bytes(7, 300)), after), 0, 'r');
    const [a, b] = members;
    const writes = [
      put(after, bytes(11, 300)),
      put(after, bytes(12, 300)),
      putMany(after, [bytes(13, 50), bytes(14, 50)]),
    ];
    const peers = [a.deviceId, b.deviceId, a.deviceId];
    for (const [i, w] of writes.entries()) {
      expect((await s.handle(w, 0, peers[i] ?? 'm')).response.type).toBe('ok');
    }
    expect((await s.handle(fetch(after), 0, b.deviceId)).response).toMatchObject({
      messages: [{ seq: 1n }, { seq: 2n }, { seq: 3n }, { seq: 4n }],
    });
  });
});
