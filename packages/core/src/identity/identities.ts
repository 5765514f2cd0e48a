import { encodeCbor } from '../cbor/encode.ts';
import { bytesEqual } from '../crypto/bytes.ts';
import {
  generateSigningKeyPair,
  signingKeyPairFromSecret,
  type SigningKeyPair,
} from '../crypto/ed25519.ts';
import type { DeviceId, UserId } from '../ids.ts';
import type { RandomPort } from '../ports/random.ts';
import {
  certificateFromCbor,
  decodeDeviceCertificate,
  certificateToCbor,
  issueDeviceCertificate,
  verifyDeviceCertificate,
  type DeviceCertificate,
} from './device-certificate.ts';
import { IdentityError } from './errors.ts';
import { decodeIdentityCbor, readVersioned, shape } from './shape.ts';
import { deviceIdFromPublicKey, userIdFromPublicKey } from './user-id.ts';

/** A user's identity key, held by whichever of their devices may certify new devices. */
export interface UserIdentity {
  readonly userId: UserId;
  readonly keyPair: SigningKeyPair;
}

/** One device: its own key (also its MLS signature key) and the user's certificate for it. */
export interface DeviceIdentity {
  readonly deviceId: DeviceId;
  readonly userId: UserId;
  readonly keyPair: SigningKeyPair;
  readonly certificate: DeviceCertificate;
}

const FORMAT_VERSION = 1;
const SECRET_KEY_LENGTH = 32;

/** A new user: a fresh Ed25519 user key and the user ID derived from it. */
export function createUserIdentity(random: RandomPort): UserIdentity {
  return userIdentityFromKeyPair(generateSigningKeyPair(random));
}

/** A new device key, certified by `user`; `now` is the clock port's time in milliseconds. */
export function createDeviceIdentity(
  user: UserIdentity,
  random: RandomPort,
  deviceName: string,
  now: number,
): DeviceIdentity {
  const keyPair = generateSigningKeyPair(random);
  const certificate = issueDeviceCertificate(user.keyPair, keyPair.publicKey, deviceName, now);
  return deviceIdentityFromParts(keyPair, certificate);
}

/**
 * `[1, secretKey]`, for the engine's key storage. It holds the secret key: store it encrypted
 * or in a keystore, never send it. The public key and user ID are derived again on decoding.
 */
export function encodeUserIdentity(identity: UserIdentity): Uint8Array {
  checkSecretKey(identity.keyPair.secretKey);
  return encodeCbor([FORMAT_VERSION, identity.keyPair.secretKey]);
}

/** Reads what `encodeUserIdentity` stored; an IdentityError for anything else. */
export function decodeUserIdentity(bytes: Uint8Array): UserIdentity {
  const what = 'user identity';
  const [secretKey] = readVersioned(decodeIdentityCbor(bytes, what), what, FORMAT_VERSION, 1);
  return userIdentityFromKeyPair(
    signingKeyPairFromSecret(shape.bytes(secretKey, `${what}.secretKey`, SECRET_KEY_LENGTH)),
  );
}

/** The user identity of a user key's 32-byte secret (a backup holds it; see `openBackup`). */
export function userIdentityFromSecret(secretKey: Uint8Array): UserIdentity {
  checkSecretKey(secretKey);
  return userIdentityFromKeyPair(signingKeyPairFromSecret(secretKey));
}

/** `[1, deviceSecretKey, certificate]`; as secret as `encodeUserIdentity`. */
export function encodeDeviceIdentity(identity: DeviceIdentity): Uint8Array {
  checkSecretKey(identity.keyPair.secretKey);
  return encodeCbor([
    FORMAT_VERSION,
    identity.keyPair.secretKey,
    certificateToCbor(identity.certificate),
  ]);
}

/**
 * Also checks that the certificate is for this device's key and verifies, so a corrupted or
 * mismatched record is refused here rather than discovered by peers.
 */
export function decodeDeviceIdentity(bytes: Uint8Array): DeviceIdentity {
  const what = 'device identity';
  const [secretKey, certificate] = readVersioned(
    decodeIdentityCbor(bytes, what),
    what,
    FORMAT_VERSION,
    2,
  );
  const keyPair = signingKeyPairFromSecret(
    shape.bytes(secretKey, `${what}.secretKey`, SECRET_KEY_LENGTH),
  );
  return deviceIdentityFromParts(keyPair, certificateFromCbor(certificate, `${what}.certificate`));
}

/**
 * A device linked to an existing user: its own secret key, and the certificate another device
 * of the user (one holding the user key) issued for it. Throws an IdentityError if the
 * certificate does not verify or is for another key.
 */
export function linkedDeviceIdentity(
  secretKey: Uint8Array,
  certificate: Uint8Array,
): DeviceIdentity {
  checkSecretKey(secretKey);
  return deviceIdentityFromParts(
    signingKeyPairFromSecret(secretKey),
    decodeDeviceCertificate(certificate),
  );
}

function userIdentityFromKeyPair(keyPair: SigningKeyPair): UserIdentity {
  return { userId: userIdFromPublicKey(keyPair.publicKey), keyPair };
}

function deviceIdentityFromParts(
  keyPair: SigningKeyPair,
  certificate: DeviceCertificate,
): DeviceIdentity {
  if (!bytesEqual(certificate.devicePublicKey, keyPair.publicKey)) {
    throw new IdentityError('IDENTITY_MALFORMED', 'the certificate is for another device key');
  }
  if (!verifyDeviceCertificate(certificate)) {
    throw new IdentityError('IDENTITY_BAD_SIGNATURE', 'the device certificate does not verify');
  }
  return {
    deviceId: deviceIdFromPublicKey(keyPair.publicKey),
    userId: userIdFromPublicKey(certificate.userPublicKey),
    keyPair,
    certificate,
  };
}

function checkSecretKey(secretKey: Uint8Array): void {
  if (secretKey.length !== SECRET_KEY_LENGTH) {
    throw new IdentityError(
      'IDENTITY_INVALID_KEY',
      `an Ed25519 secret key is a ${SECRET_KEY_LENGTH}-byte seed`,
    );
  }
}
