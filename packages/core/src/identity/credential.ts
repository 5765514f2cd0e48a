import type { AuthenticationService, Credential } from 'ts-mls';
import { bytesEqual, toHex } from '../crypto/bytes.ts';
import type { DeviceId, UserId } from '../ids.ts';
import {
  decodeDeviceCertificate,
  encodeDeviceCertificate,
  verifyDeviceCertificate,
  type DeviceCertificate,
} from './device-certificate.ts';
import { IdentityError } from './errors.ts';
import { deviceIdFromPublicKey, userIdFromPublicKey } from './user-id.ts';

/**
 * The MLS credential of a device: a basic credential whose identity is the encoded device
 * certificate, so any member can check the leaf's user without asking anyone.
 */
export function deviceCredential(certificate: DeviceCertificate): Credential {
  return { credentialType: 'basic', identity: encodeDeviceCertificate(certificate) };
}

/**
 * Who a leaf's credential says it is: the device, its user, and the certificate that binds them.
 */
export interface DeviceCredentialInfo {
  readonly userId: UserId;
  readonly deviceId: DeviceId;
  readonly certificate: DeviceCertificate;
}

/**
 * The user and device a credential names, if it is a Kith device credential whose certificate
 * verifies; undefined for anything else. It does not compare the certificate's device key with
 * the leaf's signature key: `kithAuthenticationService` does, for every leaf ts-mls accepts.
 */
export function readDeviceCredential(credential: Credential): DeviceCredentialInfo | undefined {
  if (credential.credentialType !== 'basic') return undefined;
  // Verifying a certificate costs an Ed25519 verification; a 1,000-member tree is checked at
  // every join and by the authentication service for every leaf. Cache by the exact bytes.
  const key = toHex(credential.identity);
  const cached = verified.get(key);
  if (cached !== undefined || verified.has(key)) return cached;
  const info = readUncached(credential.identity);
  if (verified.size >= MAX_CACHED) {
    const oldest = verified.keys().next();
    if (oldest.done !== true) verified.delete(oldest.value);
  }
  verified.set(key, info);
  return info;
}

const MAX_CACHED = 20_000;
const verified = new Map<string, DeviceCredentialInfo | undefined>();

function readUncached(identity: Uint8Array): DeviceCredentialInfo | undefined {
  let certificate: DeviceCertificate;
  try {
    certificate = decodeDeviceCertificate(identity);
  } catch (error) {
    if (error instanceof IdentityError) return undefined;
    throw error;
  }
  if (!verifyDeviceCertificate(certificate)) return undefined;
  return {
    userId: userIdFromPublicKey(certificate.userPublicKey),
    deviceId: deviceIdFromPublicKey(certificate.devicePublicKey),
    certificate,
  };
}

/** What `kithAuthenticationService` asks the engine besides the certificate itself. */
export interface KithAuthenticationOptions {
  /**
   * Whether the device has been revoked (from the user's device list). Called for every leaf
   * ts-mls validates: keep it fast.
   */
  isRevoked?(deviceId: DeviceId, userId: UserId): boolean | Promise<boolean>;
}

/**
 * The MLS authentication service of Kith: a leaf is accepted only if its credential carries a
 * device certificate that verifies, for the very key that signs the leaf, of a device that is
 * not revoked.
 */
export function kithAuthenticationService(
  options: KithAuthenticationOptions = {},
): AuthenticationService {
  return {
    async validateCredential(credential, signaturePublicKey) {
      const info = readDeviceCredential(credential);
      if (info === undefined) return false;
      if (!bytesEqual(info.certificate.devicePublicKey, signaturePublicKey)) return false;
      if (options.isRevoked === undefined) return true;
      return !(await options.isRevoked(info.deviceId, info.userId));
    },
  };
}
