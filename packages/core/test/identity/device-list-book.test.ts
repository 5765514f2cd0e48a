import { describe, expect, it } from 'vitest';
import { DeviceListBook } from '../../src/identity/device-list-book.ts';
import { addDevice, createDeviceList, revokeDevice } from '../../src/identity/device-list.ts';
import { createDeviceIdentity, createUserIdentity } from '../../src/identity/identities.ts';
import { seededRandom, T0 } from './helpers.ts';

const alice = createUserIdentity(seededRandom(11));
const mallory = createUserIdentity(seededRandom(12));
const laptop = createDeviceIdentity(alice, seededRandom(13), 'Laptop', T0);
const phone = createDeviceIdentity(alice, seededRandom(14), 'Phone', T0 + 1);
const v1 = createDeviceList(alice.keyPair, [laptop.certificate]);
const v2 = addDevice(v1, alice.keyPair, phone.certificate);
const v3 = revokeDevice(v2, alice.keyPair, phone.deviceId);

describe('the device list book', () => {
  it('keeps the newest valid list and tells what was added and revoked', () => {
    const book = new DeviceListBook();
    const first = book.offer(v1, alice.userId);
    expect(first).toMatchObject({
      kept: true,
      change: { added: [laptop.deviceId], hadList: false },
    });
    const second = book.offer(v2);
    expect(second).toMatchObject({ kept: true, change: { added: [phone.deviceId], revoked: [] } });
    expect(book.offer(v1)).toMatchObject({ kept: false, reason: 'stale' });
    expect(book.offer(v2)).toMatchObject({ kept: false, reason: 'stale' });
    const third = book.offer(v3);
    expect(third).toMatchObject({ kept: true, change: { added: [], revoked: [phone.deviceId] } });
    expect(book.isRevoked(phone.deviceId, alice.userId)).toBe(true);
    expect(book.activeDevices(alice.userId)).toEqual([laptop.deviceId]);
  });

  it('refuses a list with a forged signature, or carried as another user', () => {
    const book = new DeviceListBook();
    const forged = { ...v2, signature: v2.signature.map((b, i) => (i === 0 ? b ^ 1 : b)) };
    expect(book.offer(forged)).toMatchObject({ kept: false, reason: 'invalid' });
    // A device list of Alice's key carrying a device Mallory certified does not verify either.
    const stolenCert = createDeviceIdentity(mallory, seededRandom(15), 'Evil', T0).certificate;
    const mixed = { ...v2, devices: [...v2.devices, stolenCert] };
    expect(book.offer(mixed)).toMatchObject({ kept: false, reason: 'invalid' });
    expect(book.offer(v2, mallory.userId)).toMatchObject({ kept: false, reason: 'invalid' });
    expect(book.get(alice.userId)).toBeUndefined();
  });

  it('keeps a revocation even when a later list signed by the user key lists the device again', () => {
    const book = new DeviceListBook();
    book.offer(v3);
    // A thief holding the user key on the revoked device cannot sign itself back in.
    const relisted = createDeviceList(alice.keyPair, [laptop.certificate, phone.certificate]);
    const bumped = [1, 2, 3, 4].reduce(
      (l) => addDevice(l, alice.keyPair, laptop.certificate),
      relisted,
    );
    expect(bumped.version).toBeGreaterThan(v3.version);
    expect(book.offer(bumped)).toMatchObject({ kept: true, change: { added: [] } });
    expect(book.isRevoked(phone.deviceId, alice.userId)).toBe(true);
    expect(book.activeDevices(alice.userId)).toEqual([laptop.deviceId]);
  });

  it('stores and loads a record with the sticky revocations', () => {
    const book = new DeviceListBook();
    book.offer(v3);
    const relisted = addDevice(
      addDevice(
        createDeviceList(alice.keyPair, [laptop.certificate]),
        alice.keyPair,
        phone.certificate,
      ),
      alice.keyPair,
      laptop.certificate,
    );
    const later = [1, 2].reduce((l) => addDevice(l, alice.keyPair, laptop.certificate), relisted);
    book.offer(later);
    const record = book.encodeRecord(alice.userId);
    expect(record).toBeDefined();
    const loaded = new DeviceListBook();
    loaded.loadRecord(record ?? new Uint8Array());
    expect(loaded.isRevoked(phone.deviceId, alice.userId)).toBe(true);
    expect(loaded.get(alice.userId)?.version).toBe(later.version);
    expect(() => {
      loaded.loadRecord(Uint8Array.of(1, 2, 3));
    }).toThrow(expect.objectContaining({ name: 'IdentityError' }) as Error);
  });
});
