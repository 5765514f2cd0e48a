import { describe, expect, it } from 'vitest';
import {
  mailboxEpochOf,
  signMailboxPut,
  signMailboxPutMany,
  signMailboxRead,
  verifyMailboxPut,
  verifyMailboxPutMany,
  verifyMailboxRead,
} from '../../src/relay/mailbox.ts';
import { bytesEqual, toHex } from '../../src/crypto/bytes.ts';
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
    expect(head(ka)?.epochId).toEqual(head(kc)?.epochId);
    expect(ka?.topic).toBe(kb?.topic);

    await a.remove(roomId, c.userId);
    await world.settle();
    const afterA = await a.mailboxKeys(roomId);
    const afterB = await b.mailboxKeys(roomId);
    expect(head(afterA)?.epoch).toBe((head(ka)?.epoch ?? 0n) + 1n);
    expect(head(afterA)?.keyPair.publicKey).toEqual(head(afterB)?.keyPair.publicKey);
    // The new key (the name of the new epoch's mailbox) differs from every key the removed
    // member could derive.
    const known = (kc?.keys ?? []).map((k) => k.keyPair.publicKey);
    expect(known).not.toContainEqual(head(afterA)?.keyPair.publicKey);
    expect(await c.mailboxKeys(roomId)).toBeUndefined();
  });

  it('route each published message to the mailbox of the epoch it names', async () => {
    const world = new World(43);
    const [a, b, c] = [await world.add('a'), await world.add('b'), await world.add('c')];
    const roomId = await a.createRoom({ name: 'r' });
    await world.invite(a, roomId, [b, c]);
    const before = (await a.mailboxKeys(roomId))?.keys.at(-1);
    const published: Uint8Array[] = [];
    world.network.onTrace((e) => {
      if (e.type === 'deliver' && e.from === a.deviceId && e.message.kind === 'topic') {
        published.push(e.message.data);
      }
    });
    await a.send(roomId, 'hello');
    await a.remove(roomId, c.userId);
    await world.settle();
    const after = (await a.mailboxKeys(roomId))?.keys.at(-1);
    expect(before?.epochId).not.toEqual(after?.epochId);
    const unique = [...new Map(published.map((m) => [toHex(m), m])).values()];
    const epochs = unique.map((m) => mailboxEpochOf(m));
    // The message and the removing commit (two distinct messages) belong in the old epoch's
    // mailbox, which the members still on it can read; every message names a known epoch.
    expect(
      epochs.filter((e) => e !== undefined && bytesEqual(e, before?.epochId ?? new Uint8Array()))
        .length,
    ).toBeGreaterThanOrEqual(2);
    expect(epochs[0]).toEqual(before?.epochId);
    for (const e of epochs)
      expect([
        toHex(before?.epochId ?? new Uint8Array()),
        toHex(after?.epochId ?? new Uint8Array()),
      ]).toContain(toHex(e ?? new Uint8Array()));
    expect(mailboxEpochOf(new Uint8Array([1, 2, 3]))).toBeUndefined();
  });

  it('give two branches of one epoch two mailboxes, and both forking commits the same one', async () => {
    const world = new World(44);
    const [a, b, c] = [await world.add('a'), await world.add('b'), await world.add('c')];
    const roomId = await a.createRoom({ name: 'start' });
    await world.invite(a, roomId, [b, c]);
    await a.setRole(roomId, b.userId, 'admin');
    await world.settle();
    const base = (await a.mailboxKeys(roomId))?.keys.at(-1);
    const commits: Uint8Array[] = [];
    world.network.onTrace((e) => {
      if (e.type === 'deliver' && e.message.kind === 'topic') commits.push(e.message.data);
    });
    world.network.partition([[a.deviceId], [b.deviceId, c.deviceId]]);
    await a.setRoomProfile(roomId, { name: 'from a' });
    await b.setRoomProfile(roomId, { name: 'from b' });
    await world.settle();
    const [onA, onB] = [
      (await a.mailboxKeys(roomId))?.keys.at(-1),
      (await b.mailboxKeys(roomId))?.keys.at(-1),
    ];
    // One epoch number, two branches, two mailboxes: neither branch can lock the other out.
    expect(onA?.epoch).toBe(onB?.epoch);
    expect(onA?.keyPair.publicKey).not.toEqual(onB?.keyPair.publicKey);
    // b's commit went through the partition to c: it names the fork's base epoch, so it sits
    // in the mailbox every member of that epoch reads, where a will find it.
    const named = commits.map((m) => mailboxEpochOf(m)).filter((e) => e !== undefined);
    expect(named.length).toBeGreaterThan(0);
    expect(named.some((e) => bytesEqual(e, base?.epochId ?? new Uint8Array()))).toBe(true);
    world.network.heal();
    for (let i = 0; i < 6; i++) await world.tickAll();
    const heads = await Promise.all(
      [a, b, c].map(async (x) => (await x.mailboxKeys(roomId))?.keys.at(-1)?.keyPair.publicKey),
    );
    expect(heads[0]).toBeDefined();
    expect(heads[1]).toEqual(heads[0]);
    expect(heads[2]).toEqual(heads[0]);
  });

  it('sign puts and reads for one relay and one purpose', async () => {
    const world = new World(42);
    const [a, b] = [await world.add('a'), await world.add('b')];
    const roomId = await a.createRoom({ name: 'r' });
    await world.invite(a, roomId, [b]);
    const keys = await a.mailboxKeys(roomId);
    const [older, newer] = (keys?.keys ?? []).slice(-2);
    if (older === undefined || newer === undefined) throw new Error('keys');
    const box = newer.keyPair.publicKey;
    const data = new Uint8Array([1, 2, 3]);
    const put = signMailboxPut(newer, 'relay-a', data);
    expect(verifyMailboxPut(box, 'relay-a', data, put)).toBe(true);
    expect(verifyMailboxPut(box, 'relay-a', new Uint8Array([1]), put)).toBe(false);
    // Not on another relay, not in another epoch's mailbox.
    expect(verifyMailboxPut(box, 'relay-b', data, put)).toBe(false);
    expect(verifyMailboxPut(older.keyPair.publicKey, 'relay-a', data, put)).toBe(false);
    const many = signMailboxPutMany(newer, 'relay-a', [data]);
    expect(verifyMailboxPutMany(box, 'relay-a', [data], many)).toBe(true);
    expect(verifyMailboxPutMany(box, 'relay-a', [data, data], many)).toBe(false);
    const read = signMailboxRead(newer, 'relay-a', 5n);
    expect(verifyMailboxRead(box, 'relay-a', 5n, read)).toBe(true);
    expect(verifyMailboxRead(box, 'relay-a', 6n, read)).toBe(false);
    expect(verifyMailboxRead(box, 'relay-b', 5n, read)).toBe(false);
    // A put signature is not a read signature.
    expect(verifyMailboxRead(box, 'relay-a', 5n, put)).toBe(false);
  });
});
