import { describe, expect, it } from 'vitest';
import { encodeCbor } from '../../src/cbor/encode.ts';
import { sha256 } from '../../src/crypto/hash.ts';
import { compareBytes } from '../../src/crypto/bytes.ts';
import { signWithContext } from '../../src/crypto/ed25519.ts';
import {
  certificateToCbor,
  issueDeviceCertificate,
} from '../../src/identity/device-certificate.ts';
import { decodeDeviceList, encodeDeviceList } from '../../src/identity/device-list-codec.ts';
import {
  activeDevices,
  addDevice,
  createDeviceList,
  DEVICE_LIST_CONTEXT,
  isDeviceRevoked,
  newerDeviceList,
  revokeDevice,
  verifyDeviceList,
  type DeviceList,
} from '../../src/identity/device-list.ts';
import { createDeviceIdentity, createUserIdentity } from '../../src/identity/identities.ts';
import { deviceIdFromPublicKey } from '../../src/identity/user-id.ts';
import type { DeviceId } from '../../src/ids.ts';
import { byteChanges, seededRandom, T0, thrown } from './helpers.ts';

const alice = createUserIdentity(seededRandom(1));
const bob = createUserIdentity(seededRandom(2));
const laptop = createDeviceIdentity(alice, seededRandom(3), 'Laptop', T0);
const phone = createDeviceIdentity(alice, seededRandom(4), 'Phone', T0 + 1);
const tablet = createDeviceIdentity(alice, seededRandom(5), 'Tablet', T0 + 2);
const bobPhone = createDeviceIdentity(bob, seededRandom(6), 'Phone', T0);

const list = createDeviceList(alice.keyPair, [laptop.certificate, phone.certificate]);

function ids(certificates: DeviceList['devices']): string[] {
  return certificates.map(
    (c) => [laptop, phone, tablet].find((d) => d.certificate === c)?.deviceId ?? 'unknown',
  );
}

describe('device lists', () => {
  it('list the certified devices in ascending order of ID, version 1, signed', () => {
    expect(list.version).toBe(1);
    expect(ids(list.devices)).toEqual([laptop.deviceId, phone.deviceId].sort());
    expect(list.revoked).toEqual([]);
    expect(verifyDeviceList(list)).toEqual({ ok: true });
    expect(activeDevices(list)).toHaveLength(2);
    // Order of creation does not matter: the same devices give the same list.
    expect(createDeviceList(alice.keyPair, [phone.certificate, laptop.certificate])).toEqual(list);
  });

  it('round-trip', () => {
    const bytes = encodeDeviceList(list);
    expect(decodeDeviceList(bytes)).toEqual(list);
    expect(encodeDeviceList(decodeDeviceList(bytes))).toEqual(bytes);
  });

  it('grow a version with each added device', () => {
    const added = addDevice(list, alice.keyPair, tablet.certificate);
    expect(added.version).toBe(2);
    expect(verifyDeviceList(added)).toEqual({ ok: true });
    expect(ids(added.devices).sort()).toEqual(
      [laptop.deviceId, phone.deviceId, tablet.deviceId].sort(),
    );
  });

  it('rename a device when its key is certified again', () => {
    const renamed = issueDeviceCertificate(alice.keyPair, phone.keyPair.publicKey, 'Old phone', T0);
    const next = addDevice(list, alice.keyPair, renamed);
    expect(next.devices).toHaveLength(2);
    expect(next.devices.map((c) => c.deviceName).sort()).toEqual(['Laptop', 'Old phone']);
  });

  it('revoke a device for good', () => {
    const revoked = revokeDevice(list, alice.keyPair, phone.deviceId);
    expect(revoked.version).toBe(2);
    expect(verifyDeviceList(revoked)).toEqual({ ok: true });
    expect(revoked.revoked).toEqual([phone.deviceId]);
    expect(ids(activeDevices(revoked))).toEqual([laptop.deviceId]);
    expect(isDeviceRevoked(revoked, phone.deviceId)).toBe(true);
    expect(isDeviceRevoked(revoked, laptop.deviceId)).toBe(false);
    // Revoking again changes nothing; re-adding is refused.
    expect(revokeDevice(revoked, alice.keyPair, phone.deviceId)).toBe(revoked);
    expect(thrown(() => addDevice(revoked, alice.keyPair, phone.certificate))).toMatchObject({
      name: 'IdentityError',
      code: 'IDENTITY_REVOKED',
    });
  });

  it('revoke a device that was never listed', () => {
    const revoked = revokeDevice(list, alice.keyPair, tablet.deviceId);
    expect(revoked.devices).toHaveLength(2);
    expect(revoked.revoked).toEqual([tablet.deviceId]);
    expect(verifyDeviceList(revoked)).toEqual({ ok: true });
  });

  it('refuse another user’s certificate, a bad certificate, another user’s key', () => {
    expect(thrown(() => addDevice(list, alice.keyPair, bobPhone.certificate))).toMatchObject({
      code: 'IDENTITY_WRONG_USER',
    });
    const forged = { ...tablet.certificate, deviceName: 'Forged' };
    expect(thrown(() => addDevice(list, alice.keyPair, forged))).toMatchObject({
      code: 'IDENTITY_BAD_SIGNATURE',
    });
    expect(thrown(() => addDevice(list, bob.keyPair, tablet.certificate))).toMatchObject({
      code: 'IDENTITY_WRONG_USER',
    });
    expect(thrown(() => revokeDevice(list, bob.keyPair, phone.deviceId))).toMatchObject({
      code: 'IDENTITY_WRONG_USER',
    });
    expect(thrown(() => revokeDevice(list, alice.keyPair, 'nope' as DeviceId))).toMatchObject({
      code: 'IDENTITY_MALFORMED',
    });
    expect(
      thrown(() => createDeviceList(alice.keyPair, [laptop.certificate, bobPhone.certificate])),
    ).toMatchObject({ code: 'IDENTITY_WRONG_USER' });
  });

  it('refuse to re-sign a list that does not verify', () => {
    const tampered = { ...list, version: 7 };
    expect(thrown(() => addDevice(tampered, alice.keyPair, tablet.certificate))).toMatchObject({
      code: 'IDENTITY_BAD_SIGNATURE',
    });
  });

  describe('verification', () => {
    // Budget: one change of every byte, each decoded and maybe verified (one signature check);
    // three changes per byte took 45 s at load 20 on 2 cores.
    it('fails after any change of a byte', () => {
      const bytes = encodeDeviceList(revokeDevice(list, alice.keyPair, tablet.deviceId));
      for (const mutated of byteChanges(bytes)) {
        let decoded: DeviceList;
        try {
          decoded = decodeDeviceList(mutated);
        } catch (error) {
          expect(error).toMatchObject({ name: 'IdentityError' });
          continue;
        }
        expect(verifyDeviceList(decoded).ok).toBe(false);
      }
    }, 40_000);

    it('names what is wrong', () => {
      // Each list below is signed correctly by Alice, so only the named check can fail.
      const foreign = signedByAlice({ devices: [bobPhone.certificate] });
      expect(verifyDeviceList(foreign)).toMatchObject({ ok: false, code: 'IDENTITY_WRONG_USER' });

      const badCert = signedByAlice({ devices: [{ ...laptop.certificate, deviceName: 'X' }] });
      expect(verifyDeviceList(badCert)).toMatchObject({
        ok: false,
        code: 'IDENTITY_BAD_SIGNATURE',
      });

      const both = signedByAlice({ devices: [laptop.certificate], revoked: [laptop.deviceId] });
      expect(verifyDeviceList(both)).toMatchObject({ ok: false, code: 'IDENTITY_REVOKED' });

      expect(verifyDeviceList({ ...list, signature: new Uint8Array(64) })).toMatchObject({
        ok: false,
        code: 'IDENTITY_BAD_SIGNATURE',
      });
      expect(verifyDeviceList({ ...list, devices: [...list.devices].reverse() })).toMatchObject({
        ok: false,
        code: 'IDENTITY_MALFORMED',
      });
      expect(verifyDeviceList({ ...list, version: -1 })).toMatchObject({
        ok: false,
        code: 'IDENTITY_MALFORMED',
      });
    });
  });

  describe('newerDeviceList', () => {
    const v2 = addDevice(list, alice.keyPair, tablet.certificate);
    const v2b = revokeDevice(list, alice.keyPair, phone.deviceId);

    it('picks the higher version', () => {
      expect(newerDeviceList(list, v2)).toBe(v2);
      expect(newerDeviceList(v2, list)).toBe(v2);
    });

    it('picks the same one of two concurrent versions whatever the order', () => {
      const lower =
        compareBytes(sha256(encodeDeviceList(v2)), sha256(encodeDeviceList(v2b))) < 0 ? v2 : v2b;
      expect(newerDeviceList(v2, v2b)).toBe(lower);
      expect(newerDeviceList(v2b, v2)).toBe(lower);
      expect(newerDeviceList(v2, v2)).toBe(v2);
    });

    it('ignores a list that does not verify, whatever its version', () => {
      const forged = { ...v2, version: 99 };
      expect(newerDeviceList(forged, list)).toBe(list);
      expect(newerDeviceList(list, forged)).toBe(list);
      expect(newerDeviceList(forged, forged)).toBeUndefined();
    });

    it('refuses lists of two users', () => {
      expect(thrown(() => newerDeviceList(list, createDeviceList(bob.keyPair)))).toMatchObject({
        code: 'IDENTITY_WRONG_USER',
      });
    });
  });

  describe('decoding refuses', () => {
    const u = alice.keyPair.publicKey;
    const s = list.signature;
    const cert = (c: typeof laptop) => certificateToCbor(c.certificate);
    const [low, high] = [laptop, phone].sort((a, b) => (a.deviceId < b.deviceId ? -1 : 1));
    it.each([
      ['version 2', () => encodeCbor([2, u, 1, [], [], s]), 'IDENTITY_UNSUPPORTED_VERSION'],
      ['a missing field', () => encodeCbor([1, u, 1, [], []]), 'IDENTITY_MALFORMED'],
      ['a text list version', () => encodeCbor([1, u, '1', [], [], s]), 'IDENTITY_MALFORMED'],
      ['devices not in an array', () => encodeCbor([1, u, 1, 0, [], s]), 'IDENTITY_MALFORMED'],
      ['a bad device', () => encodeCbor([1, u, 1, [[1]], [], s]), 'IDENTITY_MALFORMED'],
      ['a bad revoked ID', () => encodeCbor([1, u, 1, [], ['d'], s]), 'IDENTITY_MALFORMED'],
      [
        'devices out of order',
        () => encodeCbor([1, u, 1, [cert(high ?? phone), cert(low ?? laptop)], [], s]),
        'IDENTITY_MALFORMED',
      ],
      [
        'a device twice',
        () => encodeCbor([1, u, 1, [cert(laptop), cert(laptop)], [], s]),
        'IDENTITY_MALFORMED',
      ],
      [
        'a revoked ID twice',
        () => encodeCbor([1, u, 1, [], [laptop.deviceId, laptop.deviceId], s]),
        'IDENTITY_MALFORMED',
      ],
      [
        'too many revoked devices',
        () => encodeCbor([1, u, 1, [], manyDeviceIds(1001), s]),
        'IDENTITY_TOO_MANY',
      ],
    ])('%s', (_, bytes, code) => {
      expect(thrown(() => decodeDeviceList(bytes()))).toMatchObject({
        name: 'IdentityError',
        code,
      });
    });
  });
});

/** A list with these contents, correctly signed by Alice (bypassing the checks of addDevice). */
function signedByAlice(contents: Partial<Pick<DeviceList, 'devices' | 'revoked'>>): DeviceList {
  const unsigned = {
    userPublicKey: alice.keyPair.publicKey,
    version: 1,
    devices: contents.devices ?? [],
    revoked: contents.revoked ?? [],
  };
  const withoutSignature = encodeCbor([
    1,
    unsigned.userPublicKey,
    unsigned.version,
    unsigned.devices.map(certificateToCbor),
    unsigned.revoked,
  ]);
  return {
    ...unsigned,
    signature: signWithContext(alice.keyPair.secretKey, DEVICE_LIST_CONTEXT, withoutSignature),
  };
}

function manyDeviceIds(n: number): DeviceId[] {
  return Array.from({ length: n }, (_, i) =>
    deviceIdFromPublicKey(sha256(Uint8Array.of(i & 0xff, i >> 8))),
  ).sort();
}
