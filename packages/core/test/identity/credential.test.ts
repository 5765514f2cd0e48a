import { describe, expect, it } from 'vitest';
import type { Credential } from 'ts-mls';
import {
  encodeDeviceCertificate,
  issueDeviceCertificate,
} from '../../src/identity/device-certificate.ts';
import {
  deviceCredential,
  kithAuthenticationService,
  readDeviceCredential,
} from '../../src/identity/credential.ts';
import { createDeviceIdentity, createUserIdentity } from '../../src/identity/identities.ts';
import type { DeviceId, UserId } from '../../src/ids.ts';
import { seededRandom, T0 } from './helpers.ts';

const alice = createUserIdentity(seededRandom(1));
const laptop = createDeviceIdentity(alice, seededRandom(2), 'Laptop', T0);
const mallory = createUserIdentity(seededRandom(3));
const credential = deviceCredential(laptop.certificate);
const devicePublicKey = laptop.keyPair.publicKey;

describe('device credentials', () => {
  it('are basic credentials carrying the encoded certificate', () => {
    expect(credential).toEqual({
      credentialType: 'basic',
      identity: encodeDeviceCertificate(laptop.certificate),
    });
  });

  it('name their user and device', () => {
    expect(readDeviceCredential(credential)).toEqual({
      userId: alice.userId,
      deviceId: laptop.deviceId,
      certificate: laptop.certificate,
    });
  });

  it('read as undefined when not a verified Kith certificate', () => {
    const forged = { ...laptop.certificate, deviceName: 'Other' };
    const cases: Credential[] = [
      { credentialType: 'basic', identity: new TextEncoder().encode('alice@example.com') },
      { credentialType: 'basic', identity: new Uint8Array() },
      { credentialType: 'basic', identity: encodeDeviceCertificate(forged) },
      { credentialType: 'x509', certificates: [encodeDeviceCertificate(laptop.certificate)] },
    ];
    for (const c of cases) expect(readDeviceCredential(c)).toBeUndefined();
  });
});

describe('kithAuthenticationService', () => {
  const service = kithAuthenticationService();

  it('accepts a certified device signing with its own key', async () => {
    expect(await service.validateCredential(credential, devicePublicKey)).toBe(true);
  });

  it('refuses a certificate whose device key is not the signature key', async () => {
    const other = createDeviceIdentity(alice, seededRandom(4), 'Phone', T0);
    expect(await service.validateCredential(credential, other.keyPair.publicKey)).toBe(false);
    expect(await service.validateCredential(credential, new Uint8Array(32))).toBe(false);
  });

  it('refuses a device key certified by someone who signs as another user', async () => {
    // Mallory certifies Alice's device key under her own name: valid, but Mallory's.
    const stolen = issueDeviceCertificate(mallory.keyPair, devicePublicKey, 'Laptop', T0);
    const info = readDeviceCredential(deviceCredential(stolen));
    expect(info?.userId).toBe(mallory.userId);
    // Claiming Alice's user key with Mallory's signature fails.
    const claimed = { ...stolen, userPublicKey: alice.keyPair.publicKey };
    expect(await service.validateCredential(deviceCredential(claimed), devicePublicKey)).toBe(
      false,
    );
  });

  it('refuses garbage, tampering and non-basic credentials', async () => {
    const bytes = encodeDeviceCertificate(laptop.certificate);
    const tampered = bytes.slice();
    tampered[bytes.length - 1] = (tampered[bytes.length - 1] ?? 0) ^ 1;
    const cases: Credential[] = [
      { credentialType: 'basic', identity: Uint8Array.of(1, 2, 3) },
      { credentialType: 'basic', identity: tampered },
      { credentialType: 'x509', certificates: [bytes] },
    ];
    for (const c of cases) expect(await service.validateCredential(c, devicePublicKey)).toBe(false);
  });

  it('refuses a revoked device and asks with its IDs', async () => {
    const asked: [DeviceId, UserId][] = [];
    const revoking = kithAuthenticationService({
      isRevoked(deviceId, userId) {
        asked.push([deviceId, userId]);
        return deviceId === laptop.deviceId;
      },
    });
    expect(await revoking.validateCredential(credential, devicePublicKey)).toBe(false);
    expect(asked).toEqual([[laptop.deviceId, alice.userId]]);
    const phone = createDeviceIdentity(alice, seededRandom(5), 'Phone', T0);
    expect(
      await revoking.validateCredential(
        deviceCredential(phone.certificate),
        phone.keyPair.publicKey,
      ),
    ).toBe(true);
  });

  it('accepts an asynchronous revocation check', async () => {
    const revoking = kithAuthenticationService({ isRevoked: () => Promise.resolve(true) });
    expect(await revoking.validateCredential(credential, devicePublicKey)).toBe(false);
  });
});
