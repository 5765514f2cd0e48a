import { describe, expect, it } from 'vitest';
import { encodeCbor } from '../../src/cbor/encode.ts';
import { CborError } from '../../src/cbor/errors.ts';
import { decodeDeviceCertificate } from '../../src/identity/device-certificate.ts';
import { decodeDeviceList } from '../../src/identity/device-list-codec.ts';
import { IdentityError } from '../../src/identity/errors.ts';
import { decodeUserIdentity } from '../../src/identity/identities.ts';
import { thrown, T0 } from './helpers.ts';

const u = new Uint8Array(32);
const s = new Uint8Array(64);

describe('identity decoding errors', () => {
  it('wrap a CborError as IDENTITY_INVALID_CBOR, keeping it as the cause', () => {
    const error = thrown(() => decodeUserIdentity(Uint8Array.of(0x82, 0x01)));
    expect(error).toBeInstanceOf(IdentityError);
    expect(error).toMatchObject({ code: 'IDENTITY_INVALID_CBOR' });
    expect((error as IdentityError).cause).toBeInstanceOf(CborError);
    expect((error as IdentityError).message).toMatch(/^user identity: /);
  });

  it.each([
    [
      'a short key',
      () => decodeDeviceCertificate(encodeCbor([1, u.subarray(1), u, 'x', T0, s])),
      'device certificate.userPublicKey: 32 bytes expected, got 31',
    ],
    [
      'a text time',
      () => decodeDeviceCertificate(encodeCbor([1, u, u, 'x', 'now', s])),
      'device certificate.issuedAt: ',
    ],
    [
      'a nested certificate field',
      () => decodeDeviceList(encodeCbor([1, u, 0, [[1, u, u, 7, T0, s]], [], s])),
      'device list.devices[0].deviceName: a text string expected',
    ],
    [
      'a revoked entry',
      () => decodeDeviceList(encodeCbor([1, u, 0, [], [7], s])),
      'device list.revoked[0]: a text string expected',
    ],
    [
      'the wrong number of fields',
      () => decodeUserIdentity(encodeCbor([1, u, u])),
      'user identity: an array of 2 elements expected, got 3',
    ],
  ])('name the malformed field: %s', (_, decode, message) => {
    const error = thrown(decode);
    expect(error).toMatchObject({ name: 'IdentityError', code: 'IDENTITY_MALFORMED' });
    expect((error as IdentityError).message).toContain(message);
  });

  it('leave long device names to the name check (IDENTITY_INVALID_NAME)', () => {
    const name = 'x'.repeat(2000); // above the generic text bound of ShapeReader
    expect(thrown(() => decodeDeviceCertificate(encodeCbor([1, u, u, name, T0, s])))).toMatchObject(
      { code: 'IDENTITY_INVALID_NAME' },
    );
  });
});
