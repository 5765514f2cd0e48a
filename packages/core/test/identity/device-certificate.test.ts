import { describe, expect, it } from 'vitest';
import { encodeCbor } from '../../src/cbor/encode.ts';
import { signWithContext } from '../../src/crypto/ed25519.ts';
import {
  DEVICE_CERTIFICATE_CONTEXT,
  decodeDeviceCertificate,
  encodeDeviceCertificate,
  issueDeviceCertificate,
  verifyDeviceCertificate,
  type DeviceCertificate,
} from '../../src/identity/device-certificate.ts';
import { DEVICE_LIST_CONTEXT } from '../../src/identity/device-list.ts';
import { keyPair, mutations, T0, thrown } from './helpers.ts';

const user = keyPair(1);
const device = keyPair(2);
const certificate = issueDeviceCertificate(user, device.publicKey, 'Laptop 💻', T0);

function decodesAndVerifies(bytes: Uint8Array): boolean {
  let decoded: DeviceCertificate;
  try {
    decoded = decodeDeviceCertificate(bytes);
  } catch (error) {
    expect(error).toMatchObject({ name: 'IdentityError' });
    return false;
  }
  return verifyDeviceCertificate(decoded);
}

describe('device certificates', () => {
  it('verify and round-trip', () => {
    expect(certificate).toMatchObject({
      userPublicKey: user.publicKey,
      devicePublicKey: device.publicKey,
      deviceName: 'Laptop 💻',
      issuedAt: T0,
    });
    expect(verifyDeviceCertificate(certificate)).toBe(true);
    const bytes = encodeDeviceCertificate(certificate);
    expect(decodeDeviceCertificate(bytes)).toEqual(certificate);
    expect(encodeDeviceCertificate(decodeDeviceCertificate(bytes))).toEqual(bytes);
  });

  it('are a versioned CBOR array signed without its signature', () => {
    const unsigned = [1, user.publicKey, device.publicKey, 'Laptop 💻', T0];
    expect(encodeDeviceCertificate(certificate)).toEqual(
      encodeCbor([...unsigned, certificate.signature]),
    );
    expect(certificate.signature).toEqual(
      signWithContext(user.secretKey, DEVICE_CERTIFICATE_CONTEXT, encodeCbor(unsigned)),
    );
  });

  // Budget: 3 s at a load average of 14 on 2 cores.
  it('fail to decode or verify after any change of a byte', () => {
    const bytes = encodeDeviceCertificate(certificate);
    let count = 0;
    for (const mutated of mutations(bytes)) {
      expect(decodesAndVerifies(mutated)).toBe(false);
      count++;
    }
    expect(count).toBe(bytes.length * 3);
  }, 30_000);

  it('fail to verify when a field changes', () => {
    const changed: DeviceCertificate[] = [
      { ...certificate, deviceName: 'Phone' },
      { ...certificate, issuedAt: T0 + 1 },
      { ...certificate, devicePublicKey: keyPair(3).publicKey },
      // Claiming another user's key: the signature is not theirs.
      { ...certificate, userPublicKey: keyPair(3).publicKey },
      { ...certificate, signature: certificate.signature.slice(0, 63) },
      { ...certificate, deviceName: 'x'.repeat(65) },
      { ...certificate, issuedAt: -1 },
      { ...certificate, issuedAt: 1.5 },
    ];
    for (const c of changed) expect(verifyDeviceCertificate(c)).toBe(false);
  });

  it('do not verify as another kind of signature', () => {
    const unsigned = encodeCbor([1, user.publicKey, device.publicKey, 'Laptop', T0]);
    const signature = signWithContext(user.secretKey, DEVICE_LIST_CONTEXT, unsigned);
    const forged = { ...certificate, deviceName: 'Laptop', signature };
    expect(verifyDeviceCertificate(forged)).toBe(false);
  });

  it('refuse names over 64 UTF-8 bytes and lone surrogates when issued', () => {
    expect(issueDeviceCertificate(user, device.publicKey, 'é'.repeat(32), T0).deviceName).toBe(
      'é'.repeat(32),
    );
    for (const name of ['é'.repeat(32) + 'x', 'x'.repeat(65), 'bad \ud800']) {
      expect(thrown(() => issueDeviceCertificate(user, device.publicKey, name, T0))).toMatchObject({
        name: 'IdentityError',
        code: 'IDENTITY_INVALID_NAME',
      });
    }
  });

  it('refuse bad keys and times when issued', () => {
    expect(thrown(() => issueDeviceCertificate(user, new Uint8Array(31), 'x', T0))).toMatchObject({
      code: 'IDENTITY_INVALID_KEY',
    });
    expect(
      thrown(() => issueDeviceCertificate(user, device.publicKey, 'x', Number.NaN)),
    ).toMatchObject({ code: 'IDENTITY_MALFORMED' });
  });

  describe('decoding refuses', () => {
    const s = certificate.signature;
    const u = user.publicKey;
    const d = device.publicKey;
    it.each([
      ['not CBOR', Uint8Array.of(0xff), 'IDENTITY_INVALID_CBOR'],
      [
        'trailing bytes',
        Uint8Array.of(...encodeDeviceCertificate(certificate), 0),
        'IDENTITY_INVALID_CBOR',
      ],
      ['a map', encodeCbor(new Map([[1, 1]])), 'IDENTITY_MALFORMED'],
      ['an empty array', encodeCbor([]), 'IDENTITY_MALFORMED'],
      ['version 2', encodeCbor([2, u, d, 'x', T0, s]), 'IDENTITY_UNSUPPORTED_VERSION'],
      ['version 2 of another length', encodeCbor([2, u]), 'IDENTITY_UNSUPPORTED_VERSION'],
      ['a text version', encodeCbor(['1', u, d, 'x', T0, s]), 'IDENTITY_MALFORMED'],
      ['a missing field', encodeCbor([1, u, d, 'x', T0]), 'IDENTITY_MALFORMED'],
      ['an extra field', encodeCbor([1, u, d, 'x', T0, s, 0]), 'IDENTITY_MALFORMED'],
      ['a short user key', encodeCbor([1, u.subarray(1), d, 'x', T0, s]), 'IDENTITY_MALFORMED'],
      [
        'a long device key',
        encodeCbor([1, u, new Uint8Array(33), 'x', T0, s]),
        'IDENTITY_MALFORMED',
      ],
      ['a text key', encodeCbor([1, 'u', d, 'x', T0, s]), 'IDENTITY_MALFORMED'],
      ['a byte-string name', encodeCbor([1, u, d, new Uint8Array(1), T0, s]), 'IDENTITY_MALFORMED'],
      ['a name of 65 bytes', encodeCbor([1, u, d, 'x'.repeat(65), T0, s]), 'IDENTITY_INVALID_NAME'],
      ['a negative time', encodeCbor([1, u, d, 'x', -1, s]), 'IDENTITY_MALFORMED'],
      ['a huge time', encodeCbor([1, u, d, 'x', 2n ** 60n, s]), 'IDENTITY_MALFORMED'],
      ['a short signature', encodeCbor([1, u, d, 'x', T0, s.subarray(1)]), 'IDENTITY_MALFORMED'],
      ['a null signature', encodeCbor([1, u, d, 'x', T0, null]), 'IDENTITY_MALFORMED'],
    ])('%s', (_, bytes, code) => {
      expect(thrown(() => decodeDeviceCertificate(bytes))).toMatchObject({
        name: 'IdentityError',
        code,
      });
    });
  });
});
