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

const revokedList = revokeDevice(
  createDeviceList(user.keyPair, [laptop.certificate, phone.certificate]),
  user.keyPair,
  phone.deviceId,
);

interface Codec {
  readonly name: string;
  readonly decode: (bytes: Uint8Array) => unknown;
  readonly encode: (value: never) => Uint8Array;
  /** A valid encoding, to change. */
  readonly sample: Uint8Array;
  /** Whether some changed bytes still decode (a flipped signature bit, another secret key). */
  readonly changesDecode: boolean;
}

const codecs: Codec[] = [
  {
    name: 'decodeDeviceCertificate',
    decode: decodeDeviceCertificate,
    encode: encodeDeviceCertificate,
    sample: encodeDeviceCertificate(phone.certificate),
    changesDecode: true,
  },
  {
    name: 'decodeDeviceList',
    decode: decodeDeviceList,
    encode: encodeDeviceList,
    sample: encodeDeviceList(revokedList),
    changesDecode: true,
  },
  {
    name: 'decodeUserIdentity',
    decode: decodeUserIdentity,
    encode: encodeUserIdentity,
    sample: encodeUserIdentity(user),
    changesDecode: true,
  },
  {
    // Checks its certificate against its keys: every change is refused.
    name: 'decodeDeviceIdentity',
    decode: decodeDeviceIdentity,
    encode: encodeDeviceIdentity,
    sample: encodeDeviceIdentity(laptop),
    changesDecode: false,
  },
];

/** The codes a decoder may refuse bytes with (never REVOKED or WRONG_USER: those need context). */
const DECODE_CODES = [
  'IDENTITY_INVALID_CBOR',
  'IDENTITY_MALFORMED',
  'IDENTITY_UNSUPPORTED_VERSION',
  'IDENTITY_INVALID_KEY',
  'IDENTITY_INVALID_NAME',
  'IDENTITY_BAD_SIGNATURE',
  'IDENTITY_TOO_MANY',
];

/**
 * Decodes `bytes`, or checks the refusal is an IdentityError with a decoding code. What
 * decodes must encode back to exactly `bytes`: one encoding per value.
 */
function decodesCanonicallyOrRefuses(
  decode: (bytes: Uint8Array) => unknown,
  encode: (value: never) => Uint8Array,
  bytes: Uint8Array,
): boolean {
  let value: unknown;
  try {
    value = decode(bytes);
  } catch (error) {
    expect(error).toMatchObject({ name: 'IdentityError' });
    expect(DECODE_CODES).toContain((error as { code?: unknown }).code);
    return false;
  }
  expect(encode(value as never)).toEqual(bytes);
  return true;
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

  describe.each(codecs)('$name', ({ decode, encode, sample, changesDecode }) => {
    it('refuses random bytes with a decoding code, or decodes their one encoding', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
          decodesCanonicallyOrRefuses(decode, encode, bytes);
        }),
        { numRuns: 500 },
      );
    });

    it('refuses the other encodings with a decoding code, changed or not', () => {
      const others = codecs.map((c) => c.sample).filter((other) => other !== sample);
      fc.assert(
        fc.property(
          fc.constantFrom(...others),
          fc.nat(),
          fc.integer({ min: 0, max: 255 }),
          fc.nat({ max: 3 }),
          (other, at, mask, cut) => {
            const mutated = other.slice(0, other.length - cut);
            const i = at % mutated.length;
            mutated[i] = (mutated[i] ?? 0) ^ mask;
            expect(decodesCanonicallyOrRefuses(decode, encode, mutated)).toBe(false);
          },
        ),
        { numRuns: 200 },
      );
    });

    // Up to a signature check per change: a few hundred, seconds on a busy machine.
    it(
      'every single-byte change of its own encoding: refused, or decoded to exactly those bytes',
      {
        timeout: 30_000,
      },
      () => {
        expect(decodesCanonicallyOrRefuses(decode, encode, sample)).toBe(true);
        let decoded = 0;
        let refused = 0;
        for (let i = 0; i < sample.length; i++) {
          for (const mask of [0x01, 0x80]) {
            const mutated = sample.slice();
            mutated[i] = (mutated[i] ?? 0) ^ mask;
            if (decodesCanonicallyOrRefuses(decode, encode, mutated)) decoded++;
            else refused++;
          }
        }
        // Both outcomes occur where they can: the checks above ran on each.
        expect(refused).toBeGreaterThan(0);
        expect(decoded > 0).toBe(changesDecode);
        for (let n = 0; n < sample.length; n++) {
          expect(decodesCanonicallyOrRefuses(decode, encode, sample.subarray(0, n))).toBe(false);
        }
        expect(decodesCanonicallyOrRefuses(decode, encode, Uint8Array.of(...sample, 0))).toBe(
          false,
        );
      },
    );
  });
});
