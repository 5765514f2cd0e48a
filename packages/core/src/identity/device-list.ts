import { encodeCbor } from '../cbor/encode.ts';
import { bytesEqual, compareBytes } from '../crypto/bytes.ts';
import {
  ED25519_SIGNATURE_LENGTH,
  signWithContext,
  verifyWithContext,
  type SigningKeyPair,
} from '../crypto/ed25519.ts';
import { sha256 } from '../crypto/hash.ts';
import type { DeviceId } from '../ids.ts';
import { verifyDeviceCertificate, type DeviceCertificate } from './device-certificate.ts';
import {
  checkShape,
  compareIds,
  encodeDeviceList,
  idOf,
  unsignedFields,
} from './device-list-codec.ts';
import { IdentityError, type IdentityErrorCode } from './errors.ts';
import { deviceIdFromPublicKey, isDeviceId } from './user-id.ts';

/**
 * A user's signed list of their devices: what a contact adds to a conversation when inviting
 * the user, and how a lost device is revoked. `version` grows with every change, so the newest
 * list wins wherever lists meet.
 */
export interface DeviceList {
  readonly userPublicKey: Uint8Array;
  readonly version: number;
  /** Certificates by the user key, in ascending order of device ID, one per device. */
  readonly devices: readonly DeviceCertificate[];
  /** Devices that must never be accepted again, in ascending order. */
  readonly revoked: readonly DeviceId[];
  /** Ed25519 by the user key, context `kith/device-list/v1`, over the encoding without it. */
  readonly signature: Uint8Array;
}

/** Whether a device list verifies, or which check failed and why. */
export type DeviceListVerification =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly code: Extract<
        IdentityErrorCode,
        'IDENTITY_MALFORMED' | 'IDENTITY_BAD_SIGNATURE' | 'IDENTITY_WRONG_USER' | 'IDENTITY_REVOKED'
      >;
      readonly reason: string;
    };

/** The signature context of device lists. */
export const DEVICE_LIST_CONTEXT = 'kith/device-list/v1';

/** A first list (version 1) holding `devices`, each of which must be certified by this user. */
export function createDeviceList(
  userKeyPair: SigningKeyPair,
  devices: readonly DeviceCertificate[] = [],
): DeviceList {
  let list = signList(userKeyPair, 1, [], []);
  for (const certificate of devices) list = withDevice(list, userKeyPair, certificate, 1);
  return list;
}

/**
 * A new version listing `certificate` too (replacing an earlier certificate for the same device
 * key, which renames it). Throws if the list or the certificate is not this user's or does not
 * verify, or if the device was revoked: a revoked key is never listed again.
 */
export function addDevice(
  list: DeviceList,
  userKeyPair: SigningKeyPair,
  certificate: DeviceCertificate,
): DeviceList {
  checkOwnList(list, userKeyPair);
  return withDevice(list, userKeyPair, certificate, list.version + 1);
}

/**
 * A new version without the device and with it among the revoked ones. The device need not be
 * listed (a device seen only in a conversation can be revoked too); revoking a device already
 * revoked and not listed returns `list` unchanged.
 */
export function revokeDevice(
  list: DeviceList,
  userKeyPair: SigningKeyPair,
  deviceId: DeviceId,
): DeviceList {
  checkOwnList(list, userKeyPair);
  if (!isDeviceId(deviceId)) throw new IdentityError('IDENTITY_MALFORMED', 'not a device ID');
  const devices = list.devices.filter((c) => deviceIdFromPublicKey(c.devicePublicKey) !== deviceId);
  if (devices.length === list.devices.length && list.revoked.includes(deviceId)) return list;
  const revoked = list.revoked.includes(deviceId) ? list.revoked : [...list.revoked, deviceId];
  return signList(userKeyPair, list.version + 1, devices, revoked);
}

/**
 * Whether the user signed this list and every certificate in it: each is by the same user key
 * and verifies, and no revoked device is listed. Never throws.
 */
export function verifyDeviceList(list: DeviceList): DeviceListVerification {
  let signed: Uint8Array;
  try {
    checkShape(list);
    signed = encodeCbor(unsignedFields(list));
  } catch (error) {
    if (error instanceof IdentityError) return refuse('IDENTITY_MALFORMED', error.message);
    return refuse('IDENTITY_MALFORMED', 'the list cannot be encoded');
  }
  if (!verifyWithContext(list.userPublicKey, DEVICE_LIST_CONTEXT, signed, list.signature)) {
    return refuse('IDENTITY_BAD_SIGNATURE', 'the list signature does not verify');
  }
  const revoked = new Set<string>(list.revoked);
  for (const certificate of list.devices) {
    const deviceId = deviceIdFromPublicKey(certificate.devicePublicKey);
    if (!bytesEqual(certificate.userPublicKey, list.userPublicKey)) {
      return refuse('IDENTITY_WRONG_USER', `device ${deviceId} is certified by another user`);
    }
    if (!verifyDeviceCertificate(certificate)) {
      return refuse('IDENTITY_BAD_SIGNATURE', `the certificate of ${deviceId} does not verify`);
    }
    if (revoked.has(deviceId)) {
      return refuse('IDENTITY_REVOKED', `device ${deviceId} is both listed and revoked`);
    }
  }
  return { ok: true };
}

/**
 * Of two lists of one user, the one to keep: the valid one, else the higher version, else (two
 * different lists of one version, made concurrently) the one whose encoding hashes lower, so
 * every device picks the same. Undefined if neither is valid; throws if the users differ.
 */
export function newerDeviceList(a: DeviceList, b: DeviceList): DeviceList | undefined {
  if (!bytesEqual(a.userPublicKey, b.userPublicKey)) {
    throw new IdentityError('IDENTITY_WRONG_USER', 'the two device lists are of different users');
  }
  const aValid = verifyDeviceList(a).ok;
  const bValid = verifyDeviceList(b).ok;
  if (!aValid || !bValid) return aValid ? a : bValid ? b : undefined;
  if (a.version !== b.version) return a.version > b.version ? a : b;
  return compareBytes(sha256(encodeDeviceList(a)), sha256(encodeDeviceList(b))) <= 0 ? a : b;
}

/** The listed devices that are not revoked (all of them, in a list that verifies). */
export function activeDevices(list: DeviceList): readonly DeviceCertificate[] {
  return list.devices.filter(
    (c) => !isDeviceRevoked(list, deviceIdFromPublicKey(c.devicePublicKey)),
  );
}

/** Whether the list revokes `deviceId` (a revoked device is refused everywhere, for good). */
export function isDeviceRevoked(list: DeviceList, deviceId: DeviceId): boolean {
  return list.revoked.includes(deviceId);
}

function withDevice(
  list: DeviceList,
  userKeyPair: SigningKeyPair,
  certificate: DeviceCertificate,
  version: number,
): DeviceList {
  if (!bytesEqual(certificate.userPublicKey, list.userPublicKey)) {
    throw new IdentityError('IDENTITY_WRONG_USER', 'the certificate is by another user');
  }
  if (!verifyDeviceCertificate(certificate)) {
    throw new IdentityError('IDENTITY_BAD_SIGNATURE', 'the certificate does not verify');
  }
  const deviceId = deviceIdFromPublicKey(certificate.devicePublicKey);
  if (list.revoked.includes(deviceId)) {
    throw new IdentityError('IDENTITY_REVOKED', `device ${deviceId} has been revoked`);
  }
  const others = list.devices.filter(
    (c) => !bytesEqual(c.devicePublicKey, certificate.devicePublicKey),
  );
  return signList(userKeyPair, version, [...others, certificate], list.revoked);
}

/** Refuses to re-sign a list that is not the caller's own valid list, which would launder it. */
function checkOwnList(list: DeviceList, userKeyPair: SigningKeyPair): void {
  if (!bytesEqual(list.userPublicKey, userKeyPair.publicKey)) {
    throw new IdentityError('IDENTITY_WRONG_USER', 'the device list is of another user');
  }
  const verification = verifyDeviceList(list);
  if (!verification.ok) throw new IdentityError(verification.code, verification.reason);
}

function signList(
  userKeyPair: SigningKeyPair,
  version: number,
  devices: readonly DeviceCertificate[],
  revoked: readonly DeviceId[],
): DeviceList {
  const unsigned = {
    userPublicKey: userKeyPair.publicKey,
    version,
    devices: [...devices].sort((x, y) => compareIds(idOf(x), idOf(y))),
    revoked: [...revoked].sort(compareIds),
    signature: new Uint8Array(ED25519_SIGNATURE_LENGTH),
  };
  checkShape(unsigned);
  const signed = encodeCbor(unsignedFields(unsigned));
  return {
    ...unsigned,
    signature: signWithContext(userKeyPair.secretKey, DEVICE_LIST_CONTEXT, signed),
  };
}

function refuse(
  code: Extract<DeviceListVerification, { ok: false }>['code'],
  reason: string,
): DeviceListVerification {
  return { ok: false, code, reason };
}
