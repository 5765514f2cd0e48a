import { describe, expect, it } from 'vitest';
import {
  checkDeviceLinkProof,
  createDeviceLinkOffer,
  decodeDeviceLink,
  deviceLinkCode,
  deviceLinkId,
  deviceLinkProof,
  encodeDeviceLink,
} from '../../src/identity/device-link.ts';
import { keyPair, seededRandom, T0 } from './helpers.ts';

const oldKey = keyPair(1).publicKey;
const newKey = keyPair(2).publicKey;
const strangerKey = keyPair(3).publicKey;
const address = '/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWExample';

describe('device link offers', () => {
  it('round-trip through their text, in any letter case and with spaces around', () => {
    const offer = createDeviceLinkOffer(seededRandom(1), oldKey, [address], T0);
    const text = encodeDeviceLink(offer);
    expect(text.startsWith('kith-link:')).toBe(true);
    for (const form of [text, ` ${text.toUpperCase()}\n`]) {
      const back = decodeDeviceLink(form);
      expect(back.devicePublicKey).toEqual(oldKey);
      expect(back.addresses).toEqual([address]);
      expect(back.secret).toEqual(offer.secret);
      expect(back.expiresAt).toBe(T0 + 10 * 60 * 1000);
    }
  });

  it('refuse a damaged or foreign text with a typed error', () => {
    const text = encodeDeviceLink(createDeviceLinkOffer(seededRandom(1), oldKey, [], T0));
    const last = text.at(-1) === 'a' ? 'b' : 'a';
    for (const bad of [text.slice(0, -1) + last, 'kith:abc', 'kith-link:', 'x'.repeat(5000)]) {
      expect(() => decodeDeviceLink(bad)).toThrow(
        expect.objectContaining({ code: 'IDENTITY_MALFORMED' }) as Error,
      );
    }
  });

  it('each get a fresh secret', () => {
    const random = seededRandom(2);
    const a = createDeviceLinkOffer(random, oldKey, [], T0);
    const b = createDeviceLinkOffer(random, oldKey, [], T0);
    expect(a.secret).not.toEqual(b.secret);
    expect(deviceLinkId(a.secret)).not.toEqual(deviceLinkId(b.secret));
  });
});

describe('device link proofs and codes', () => {
  const secret = createDeviceLinkOffer(seededRandom(3), oldKey, [], T0).secret;
  const guessed = createDeviceLinkOffer(seededRandom(4), oldKey, [], T0).secret;
  const proof = deviceLinkProof(secret, 'new', oldKey, newKey, 'phone');

  it('verify only for the same secret, role, keys and name', () => {
    expect(
      checkDeviceLinkProof(deviceLinkProof(secret, 'new', oldKey, newKey, 'phone'), proof),
    ).toBe(true);
    for (const other of [
      deviceLinkProof(guessed, 'new', oldKey, newKey, 'phone'),
      deviceLinkProof(secret, 'old', oldKey, newKey, 'phone'),
      deviceLinkProof(secret, 'new', oldKey, strangerKey, 'phone'),
      deviceLinkProof(secret, 'new', strangerKey, newKey, 'phone'),
      deviceLinkProof(secret, 'new', oldKey, newKey, 'phone2'),
      proof.subarray(0, 31),
    ]) {
      expect(checkDeviceLinkProof(proof, other)).toBe(false);
    }
  });

  it('give a six-digit code bound to both keys and the secret', () => {
    const code = deviceLinkCode(secret, oldKey, newKey);
    expect(code).toMatch(/^\d{3} \d{3}$/);
    expect(deviceLinkCode(secret, oldKey, newKey)).toBe(code);
    // A device that got the link another way shows another code (1 in a million the same).
    expect(deviceLinkCode(secret, oldKey, strangerKey)).not.toBe(code);
    expect(deviceLinkCode(guessed, oldKey, newKey)).not.toBe(code);
  });
});
