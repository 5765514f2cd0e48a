import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/crypto/bytes.ts';
import { signingKeyPairFromSecret } from '../../src/crypto/ed25519.ts';
import {
  deviceIdFromPublicKey,
  isDeviceId,
  isUserId,
  shortDeviceId,
  shortUserId,
  userIdFromPublicKey,
} from '../../src/identity/user-id.ts';
import { keyPair, thrown } from './helpers.ts';

/** The key pair with secret bytes 0x01..0x20: a fixed vector, so a change of derivation is noticed. */
const pinned = signingKeyPairFromSecret(Uint8Array.from({ length: 32 }, (_, i) => i + 1));

describe('user and device IDs', () => {
  it('are pinned for a known key', () => {
    expect(toHex(pinned.publicKey)).toBe(PINNED_PUBLIC_KEY);
    expect(userIdFromPublicKey(pinned.publicKey)).toBe(PINNED_USER_ID);
    expect(deviceIdFromPublicKey(pinned.publicKey)).toBe(PINNED_DEVICE_ID);
  });

  it('are a prefix and 52 base32 characters, different for users and devices', () => {
    const key = keyPair(7).publicKey;
    const userId = userIdFromPublicKey(key);
    const deviceId = deviceIdFromPublicKey(key);
    expect(userId).toMatch(/^u[a-z2-7]{52}$/);
    expect(deviceId).toMatch(/^d[a-z2-7]{52}$/);
    expect(deviceId.slice(1)).not.toBe(userId.slice(1));
    expect(userIdFromPublicKey(keyPair(8).publicKey)).not.toBe(userId);
  });

  it('refuse keys that are not 32 bytes', () => {
    expect(thrown(() => userIdFromPublicKey(new Uint8Array(31)))).toMatchObject({
      name: 'IdentityError',
      code: 'IDENTITY_INVALID_KEY',
    });
    expect(thrown(() => deviceIdFromPublicKey(new Uint8Array(33)))).toMatchObject({
      code: 'IDENTITY_INVALID_KEY',
    });
  });

  it('validate strictly', () => {
    const userId = userIdFromPublicKey(pinned.publicKey);
    const deviceId = deviceIdFromPublicKey(pinned.publicKey);
    expect(isUserId(userId)).toBe(true);
    expect(isDeviceId(deviceId)).toBe(true);
    expect(isUserId(deviceId)).toBe(false);
    expect(isDeviceId(userId)).toBe(false);
    for (const bad of [
      userId.toUpperCase(),
      userId.slice(0, -1),
      userId + 'a',
      'u' + '1'.repeat(52),
      // The last character carries 4 unused bits, which must be zero.
      userId.slice(0, -1) + 'b',
      '',
      42,
      undefined,
    ]) {
      expect(isUserId(bad)).toBe(false);
    }
  });

  it('have a short display form', () => {
    const userId = userIdFromPublicKey(pinned.publicKey);
    const body = userId.slice(1);
    expect(shortUserId(userId)).toBe(
      `u:${body.slice(0, 4)}-${body.slice(4, 8)}-${body.slice(8, 12)}-${body.slice(12, 16)}`,
    );
    expect(shortDeviceId(deviceIdFromPublicKey(pinned.publicKey))).toMatch(
      /^d:[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$/,
    );
  });
});

// Computed once, and checked independently with Python's hashlib and base64.b32encode.
const PINNED_PUBLIC_KEY = '79b5562e8fe654f94078b112e8a98ba7901f853ae695bed7e0e3910bad049664';
const PINNED_USER_ID = 'ujxkp2kcfcxbvxc7t6gpj4fsxxee24hwjfhiiowgokpecxb2per5a';
const PINNED_DEVICE_ID = 'dzb55wqyputsyjkbgzztxwri6bptbs65562ncik7uem6tyj5nji3a';
