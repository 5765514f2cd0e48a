import { afterEach, describe, expect, it } from 'vitest';
import { deviceIdFromPublicKey, type UserId } from '@kith/core';
import { ContactVerification, type ContactKeys } from '../src/model/contact-verification.ts';
import { Messenger } from '../src/model/messenger.ts';
import { TestDevice, TestWorld, until } from './test-device.ts';

let world: TestWorld;
afterEach(async () => {
  await world.close();
});

describe('verifying a contact by safety number', () => {
  it('shows both people the same number, keeps the mark, and tells of a new device', async () => {
    world = new TestWorld();
    const alice = new Messenger(await TestDevice.open(world, 'alice tab'), 'Alice');
    const bobDevice = await TestDevice.open(world, 'bob tab');
    const bob = new Messenger(bobDevice, 'Bob');
    await alice.addContact(bob.contactLink());
    await bob.addContact(alice.contactLink());
    const number = alice.verification.safetyNumber(bob.me);
    expect(number).toMatch(/^(\d{5} ){11}\d{5}$/);
    expect(bob.verification.safetyNumber(alice.me)).toBe(number);
    expect(alice.verification.state(bob.me)).toEqual({ kind: 'unverified' });
    // Not a contact: nothing to compare.
    expect(alice.verification.safetyNumber(alice.me)).toBeUndefined();

    await alice.verification.verify(bob.me, 1000);
    expect(alice.verification.state(bob.me)).toEqual({ kind: 'verified', at: 1000 });
    // A room with Bob brings no new device: still verified.
    const roomId = await alice.createRoom('friends', [bob.me]);
    await until(bob.device.client, () => bob.roomLists().rooms.length === 1);
    expect(alice.verification.state(bob.me).kind).toBe('verified');

    // Kept in the device's store: a new view of the same device reads it back.
    const again = new Messenger(alice.device, 'Alice');
    await again.verification.load();
    expect(again.verification.state(bob.me)).toEqual({ kind: 'verified', at: 1000 });

    // Bob's link now names a second device: shown as a change, to compare again.
    const other = deviceIdFromPublicKey(new Uint8Array(32).fill(7));
    await alice.addContact(bobDevice.contactLink('Bob', [bobDevice.client.deviceId, other]));
    expect(alice.verification.state(bob.me)).toEqual({
      kind: 'changed',
      at: 1000,
      added: [other],
      removed: [],
      keyChanged: false,
    });
    await alice.verification.verify(bob.me, 2000);
    expect(alice.verification.state(bob.me).kind).toBe('verified');
    await alice.verification.unverify(bob.me);
    expect(alice.verification.state(bob.me).kind).toBe('unverified');
    expect(roomId).toBeDefined();
  });

  it('shows a contact whose key is no longer the one verified as changed', async () => {
    world = new TestWorld();
    const store = new Map<string, unknown>();
    let keys: ContactKeys = { userPublicKey: new Uint8Array(32).fill(1), devices: [] };
    const v = new ContactVerification(
      new Uint8Array(32).fill(2),
      {
        get: <T>(key: string) => Promise.resolve(store.get(key) as T | undefined),
        put: (value, key) => Promise.resolve(void store.set(key, value)),
      },
      () => keys,
      () => undefined,
    );
    const user = 'u' as UserId;
    await v.verify(user, 5);
    keys = { userPublicKey: new Uint8Array(32).fill(3), devices: [] };
    expect(v.state(user)).toMatchObject({ kind: 'changed', keyChanged: true });
  });
});
