import { describe, expect, it } from 'vitest';
import {
  signMailboxAuthorization,
  signMailboxPut,
  signMailboxRead,
  verifyMailboxAuthorization,
  verifyMailboxPut,
  verifyMailboxRead,
} from '../../src/relay/mailbox.ts';
import { World } from './world.ts';

describe('mailbox keys from the MLS exporter', () => {
  it('are the same on every member, per epoch, and a removed member gets no new one', async () => {
    const world = new World(41);
    const [a, b, c] = [await world.add('a'), await world.add('b'), await world.add('c')];
    const roomId = await a.createRoom({ name: 'r' });
    await world.invite(a, roomId, [b, c]);
    const [ka, kb, kc] = await Promise.all([a, b, c].map((x) => x.mailboxKeys(roomId)));
    const head = (k: typeof ka) => k?.keys.at(-1);
    expect(head(ka)?.keyPair.publicKey).toEqual(head(kb)?.keyPair.publicKey);
    expect(head(kb)?.keyPair.publicKey).toEqual(head(kc)?.keyPair.publicKey);
    expect(ka?.topic).toBe(kb?.topic);

    await a.remove(roomId, c.userId);
    await world.settle();
    const afterA = await a.mailboxKeys(roomId);
    const afterB = await b.mailboxKeys(roomId);
    expect(head(afterA)?.epoch).toBe((head(ka)?.epoch ?? 0n) + 1n);
    expect(head(afterA)?.keyPair.publicKey).toEqual(head(afterB)?.keyPair.publicKey);
    // The new key differs from every key the removed member could derive.
    const known = (kc?.keys ?? []).map((k) => k.keyPair.publicKey);
    expect(known).not.toContainEqual(head(afterA)?.keyPair.publicKey);
    expect(await c.mailboxKeys(roomId)).toBeUndefined();
  });

  it('sign puts, reads and the hand-over to the next epoch, each only for its own purpose', async () => {
    const world = new World(42);
    const [a, b] = [await world.add('a'), await world.add('b')];
    const roomId = await a.createRoom({ name: 'r' });
    await world.invite(a, roomId, [b]);
    const keys = await a.mailboxKeys(roomId);
    const [older, newer] = (keys?.keys ?? []).slice(-2);
    if (older === undefined || newer === undefined || keys === undefined) throw new Error('keys');
    const data = new Uint8Array([1, 2, 3]);
    const put = signMailboxPut(newer, keys.topic, data);
    expect(verifyMailboxPut(newer.keyPair.publicKey, keys.topic, data, put)).toBe(true);
    expect(verifyMailboxPut(newer.keyPair.publicKey, keys.topic, new Uint8Array([1]), put)).toBe(
      false,
    );
    expect(verifyMailboxPut(newer.keyPair.publicKey, 'other', data, put)).toBe(false);
    const next = { epoch: newer.epoch, publicKey: newer.keyPair.publicKey };
    const vouch = signMailboxAuthorization(older, keys.topic, next);
    expect(verifyMailboxAuthorization(older.keyPair.publicKey, keys.topic, next, vouch)).toBe(true);
    expect(
      verifyMailboxAuthorization(
        older.keyPair.publicKey,
        keys.topic,
        { ...next, epoch: 99n },
        vouch,
      ),
    ).toBe(false);
    const read = signMailboxRead(newer, keys.topic, 5n);
    expect(verifyMailboxRead(newer.keyPair.publicKey, keys.topic, 5n, read)).toBe(true);
    expect(verifyMailboxRead(newer.keyPair.publicKey, keys.topic, 6n, read)).toBe(false);
    // A put signature is not a read signature.
    expect(verifyMailboxRead(newer.keyPair.publicKey, keys.topic, 5n, put)).toBe(false);
  });
});
