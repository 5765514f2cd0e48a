import { describe, expect, it } from 'vitest';
import { decodeCbor } from '../../src/cbor/decode.ts';
import { encodeCbor } from '../../src/cbor/encode.ts';
import type { CborValue } from '../../src/cbor/value.ts';
import { issueDeviceCertificate } from '../../src/identity/device-certificate.ts';
import {
  createDeviceIdentity,
  createUserIdentity,
  decodeDeviceIdentity,
  decodeUserIdentity,
  encodeDeviceIdentity,
  encodeUserIdentity,
} from '../../src/identity/identities.ts';
import { deviceIdFromPublicKey, userIdFromPublicKey } from '../../src/identity/user-id.ts';
import { keyPair, seededRandom, T0, thrown } from './helpers.ts';

const user = createUserIdentity(seededRandom(1));
const device = createDeviceIdentity(user, seededRandom(2), 'Phone', T0);

describe('user and device identities', () => {
  it('are derived from their keys', () => {
    expect(user.userId).toBe(userIdFromPublicKey(user.keyPair.publicKey));
    expect(device.userId).toBe(user.userId);
    expect(device.deviceId).toBe(deviceIdFromPublicKey(device.keyPair.publicKey));
    expect(device.certificate).toMatchObject({
      userPublicKey: user.keyPair.publicKey,
      devicePublicKey: device.keyPair.publicKey,
      deviceName: 'Phone',
      issuedAt: T0,
    });
  });

  it('differ with the randomness', () => {
    expect(createUserIdentity(seededRandom(3)).userId).not.toBe(user.userId);
    expect(createDeviceIdentity(user, seededRandom(3), 'Phone', T0).deviceId).not.toBe(
      device.deviceId,
    );
  });

  it('round-trip with their secret keys', () => {
    const u = decodeUserIdentity(encodeUserIdentity(user));
    expect(u).toEqual(user);
    const d = decodeDeviceIdentity(encodeDeviceIdentity(device));
    expect(d).toEqual(device);
    expect(encodeDeviceIdentity(d)).toEqual(encodeDeviceIdentity(device));
  });

  it('refuse a stored device whose certificate is for another key', () => {
    const other = keyPair(9);
    const bytes = encodeCbor([
      1,
      other.secretKey,
      decodeCborArray(encodeDeviceIdentity(device))[2] ?? null,
    ]);
    expect(thrown(() => decodeDeviceIdentity(bytes))).toMatchObject({
      name: 'IdentityError',
      code: 'IDENTITY_MALFORMED',
    });
  });

  it('refuse a stored device whose certificate does not verify', () => {
    const certificate = issueDeviceCertificate(user.keyPair, device.keyPair.publicKey, 'Phone', T0);
    const tampered = { ...device, certificate: { ...certificate, issuedAt: T0 + 1 } };
    expect(thrown(() => decodeDeviceIdentity(encodeDeviceIdentity(tampered)))).toMatchObject({
      code: 'IDENTITY_BAD_SIGNATURE',
    });
  });

  it('refuse malformed stored identities', () => {
    const cases: [Uint8Array, string][] = [
      [encodeCbor([1, new Uint8Array(31)]), 'IDENTITY_MALFORMED'],
      [encodeCbor([2, user.keyPair.secretKey]), 'IDENTITY_UNSUPPORTED_VERSION'],
      [encodeCbor([1, user.keyPair.secretKey, 0]), 'IDENTITY_MALFORMED'],
      [Uint8Array.of(0x82, 0x01), 'IDENTITY_INVALID_CBOR'],
    ];
    for (const [bytes, code] of cases) {
      expect(thrown(() => decodeUserIdentity(bytes))).toMatchObject({
        name: 'IdentityError',
        code,
      });
    }
    expect(thrown(() => decodeDeviceIdentity(encodeUserIdentity(user)))).toMatchObject({
      code: 'IDENTITY_MALFORMED',
    });
  });
});

function decodeCborArray(bytes: Uint8Array): readonly CborValue[] {
  return decodeCbor(bytes) as readonly CborValue[];
}
