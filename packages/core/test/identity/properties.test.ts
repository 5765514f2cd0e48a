import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeDeviceCertificate,
  encodeDeviceCertificate,
  type DeviceCertificate,
} from '../../src/identity/device-certificate.ts';
import { decodeDeviceList, encodeDeviceList } from '../../src/identity/device-list-codec.ts';
import { createDeviceList, revokeDevice, type DeviceList } from '../../src/identity/device-list.ts';
import {
  createDeviceIdentity,
  createUserIdentity,
  decodeDeviceIdentity,
  decodeUserIdentity,
  encodeDeviceIdentity,
  encodeUserIdentity,
} from '../../src/identity/identities.ts';
import { safetyNumber } from '../../src/identity/safety-number.ts';
import { deviceIdFromPublicKey } from '../../src/identity/user-id.ts';
import { seededRandom, T0 } from './helpers.ts';

const user = createUserIdentity(seededRandom(1));
const laptop = createDeviceIdentity(user, seededRandom(3), 'Laptop', T0);
const phone = createDeviceIdentity(user, seededRandom(2), 'Phone', T0);

const exactBytes = (length: number) => fc.uint8Array({ minLength: length, maxLength: length });

/** Names of at most 64 UTF-8 bytes. */
const nameArb = fc
  .string({ unit: 'grapheme', maxLength: 20 })
  .filter((name) => new TextEncoder().encode(name).length <= 64);

/** Structurally valid certificates; the signature is random, as decoding does not check it. */
const certificateArb: fc.Arbitrary<DeviceCertificate> = fc.record({
  userPublicKey: exactBytes(32),
  devicePublicKey: exactBytes(32),
  deviceName: nameArb,
  issuedAt: fc.maxSafeNat(),
  signature: exactBytes(64),
});

const byDeviceId = (a: DeviceCertificate, b: DeviceCertificate) =>
  deviceIdFromPublicKey(a.devicePublicKey) < deviceIdFromPublicKey(b.devicePublicKey) ? -1 : 1;

const deviceListArb: fc.Arbitrary<DeviceList> = fc
  .record({
    userPublicKey: exactBytes(32),
    version: fc.maxSafeNat(),
    devices: fc.uniqueArray(certificateArb, {
      maxLength: 4,
      selector: (c) => deviceIdFromPublicKey(c.devicePublicKey),
    }),
    revokedKeys: fc.uniqueArray(exactBytes(32), {
      maxLength: 4,
      selector: (key) => deviceIdFromPublicKey(key),
    }),
    signature: exactBytes(64),
  })
  .map(({ revokedKeys, devices, ...rest }) => ({
    ...rest,
    devices: [...devices].sort(byDeviceId),
    revoked: revokedKeys.map(deviceIdFromPublicKey).sort(),
  }));

const decoders: [string, (bytes: Uint8Array) => unknown][] = [
  ['decodeDeviceCertificate', decodeDeviceCertificate],
  ['decodeDeviceList', decodeDeviceList],
  ['decodeUserIdentity', decodeUserIdentity],
  ['decodeDeviceIdentity', decodeDeviceIdentity],
];

function throwsOnlyIdentityErrors(decode: (bytes: Uint8Array) => unknown, bytes: Uint8Array) {
  try {
    decode(bytes);
  } catch (error) {
    expect(error).toMatchObject({ name: 'IdentityError', code: expect.any(String) });
  }
}

describe('identity properties', () => {
  it('decodeDeviceCertificate(encode(c)) is c', () => {
    fc.assert(
      fc.property(certificateArb, (c) => {
        const bytes = encodeDeviceCertificate(c);
        expect(decodeDeviceCertificate(bytes)).toEqual(c);
        expect(encodeDeviceCertificate(decodeDeviceCertificate(bytes))).toEqual(bytes);
      }),
    );
  });

  it('decodeDeviceList(encode(l)) is l', () => {
    fc.assert(
      fc.property(deviceListArb, (list) => {
        expect(decodeDeviceList(encodeDeviceList(list))).toEqual(list);
      }),
      { numRuns: 50 },
    );
  });

  it('identities round-trip', () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(), nameArb, fc.maxSafeNat(), (seedU, seedD, name, now) => {
        const user = createUserIdentity(seededRandom(seedU));
        expect(decodeUserIdentity(encodeUserIdentity(user))).toEqual(user);
        const device = createDeviceIdentity(user, seededRandom(seedD + 1), name, now);
        expect(decodeDeviceIdentity(encodeDeviceIdentity(device))).toEqual(device);
      }),
      { numRuns: 30 },
    );
  });

  it('safety numbers are symmetric', () => {
    fc.assert(
      fc.property(exactBytes(32), exactBytes(32), (a, b) => {
        expect(safetyNumber(a, b)).toBe(safetyNumber(b, a));
      }),
      { numRuns: 10 },
    );
  });

  describe.each(decoders)('%s', (_, decode) => {
    it('throws nothing but IdentityError on random bytes', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
          throwsOnlyIdentityErrors(decode, bytes);
        }),
        { numRuns: 500 },
      );
    });

    it('throws nothing but IdentityError on mutated encodings', () => {
      const samples = [
        encodeDeviceCertificate(phone.certificate),
        encodeUserIdentity(user),
        encodeDeviceIdentity(laptop),
        encodeDeviceList(
          revokeDevice(
            createDeviceList(user.keyPair, [laptop.certificate, phone.certificate]),
            user.keyPair,
            phone.deviceId,
          ),
        ),
      ];
      fc.assert(
        fc.property(
          fc.constantFrom(...samples),
          fc.nat(),
          fc.integer({ min: 1, max: 255 }),
          fc.nat({ max: 3 }),
          (sample, at, mask, cut) => {
            const mutated = sample.slice(0, sample.length - cut);
            const i = at % mutated.length;
            mutated[i] = (mutated[i] ?? 0) ^ mask;
            throwsOnlyIdentityErrors(decode, mutated);
          },
        ),
        { numRuns: 300 },
      );
    });
  });
});
