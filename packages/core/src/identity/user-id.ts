import { ED25519_PUBLIC_KEY_LENGTH } from '../crypto/ed25519.ts';
import { labeledHash } from '../crypto/hash.ts';
import type { DeviceId, UserId } from '../ids.ts';
import { base32Decode, base32Encode } from './base32.ts';
import { IdentityError } from './errors.ts';

const USER_ID_LABEL = 'kith/user-id/v1';
const DEVICE_ID_LABEL = 'kith/device-id/v1';
/** Base32 characters of a 32-byte hash. */
const ID_BODY_LENGTH = 52;
const HASH_LENGTH = 32;

/**
 * The ID of the user who holds this identity key: `u` + base32 of a labeled SHA-256 of the key.
 * Hashing (rather than showing the key) keeps IDs one length whatever key type comes later.
 */
export function userIdFromPublicKey(userPublicKey: Uint8Array): UserId {
  checkPublicKey(userPublicKey, 'user');
  return ('u' + base32Encode(labeledHash(USER_ID_LABEL, userPublicKey))) as UserId;
}

/** The ID of the device that holds this device key: `d` + base32 of a labeled SHA-256 of the key. */
export function deviceIdFromPublicKey(devicePublicKey: Uint8Array): DeviceId {
  checkPublicKey(devicePublicKey, 'device');
  return ('d' + base32Encode(labeledHash(DEVICE_ID_LABEL, devicePublicKey))) as DeviceId;
}

/** True for exactly the strings `userIdFromPublicKey` can return (the hash itself is not checked). */
export function isUserId(value: unknown): value is UserId {
  return isId(value, 'u');
}

/** True for exactly the strings `deviceIdFromPublicKey` can return. */
export function isDeviceId(value: unknown): value is DeviceId {
  return isId(value, 'd');
}

/**
 * A short form to show and compare at a glance, `u:abcd-efgh-ijkl-mnop` (80 bits). Not an
 * identifier: two users could share one, so never look anybody up by it; safety numbers verify.
 */
export function shortUserId(userId: UserId): string {
  return shortForm(userId);
}

/** A short form of a device ID, `d:abcd-efgh-ijkl-mnop`, for device lists. */
export function shortDeviceId(deviceId: DeviceId): string {
  return shortForm(deviceId);
}

function shortForm(id: string): string {
  const body = id.slice(1);
  const groups = [0, 4, 8, 12].map((start) => body.slice(start, start + 4));
  return `${id.slice(0, 1)}:${groups.join('-')}`;
}

function isId(value: unknown, prefix: string): boolean {
  if (typeof value !== 'string' || value.length !== 1 + ID_BODY_LENGTH) return false;
  if (!value.startsWith(prefix)) return false;
  return base32Decode(value.slice(1))?.length === HASH_LENGTH;
}

function checkPublicKey(key: Uint8Array, whose: string): void {
  if (key.length !== ED25519_PUBLIC_KEY_LENGTH) {
    throw new IdentityError(
      'IDENTITY_INVALID_KEY',
      `a ${whose} public key is ${ED25519_PUBLIC_KEY_LENGTH} bytes`,
    );
  }
}
