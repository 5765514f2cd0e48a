import { encodeCbor } from '../cbor/encode.ts';
import type { CborValue } from '../cbor/value.ts';
import { ED25519_PUBLIC_KEY_LENGTH, ED25519_SIGNATURE_LENGTH } from '../crypto/ed25519.ts';
import type { DeviceId } from '../ids.ts';
import {
  certificateFromCbor,
  certificateToCbor,
  type DeviceCertificate,
} from './device-certificate.ts';
import type { DeviceList } from './device-list.ts';
import { IdentityError } from './errors.ts';
import { decodeIdentityCbor, readVersioned, shape } from './shape.ts';
import { deviceIdFromPublicKey, isDeviceId } from './user-id.ts';

/** The encoding of device lists, and the canonical form every list must have. */

const FORMAT_VERSION = 1;
/** Most devices one user may list at once. */
export const MAX_LISTED_DEVICES = 100;
/** Most revoked devices one list may name (a longer list is refused). */
export const MAX_REVOKED_DEVICES = 1000;

/** `[1, userPublicKey, version, [certificate...], [deviceId...], signature]`. */
export function encodeDeviceList(list: DeviceList): Uint8Array {
  checkShape(list);
  return encodeCbor([...unsignedFields(list), list.signature]);
}

/** Checks the structure only; `verifyDeviceList` checks the signatures. */
export function decodeDeviceList(bytes: Uint8Array): DeviceList {
  const what = 'device list';
  const [userKey, version, devices, revoked, signature] = readVersioned(
    decodeIdentityCbor(bytes, what),
    what,
    FORMAT_VERSION,
    5,
  );
  const list: DeviceList = {
    userPublicKey: shape.bytes(userKey, `${what}.userPublicKey`, ED25519_PUBLIC_KEY_LENGTH),
    version: shape.uint(version, `${what}.version`),
    devices: shape
      .array(devices, `${what}.devices`)
      .map((c, i) => certificateFromCbor(c, `${what}.devices[${i}]`)),
    revoked: shape
      .array(revoked, `${what}.revoked`)
      .map((id, i) => readDeviceId(id, `${what}.revoked[${i}]`)),
    signature: shape.bytes(signature, `${what}.signature`, ED25519_SIGNATURE_LENGTH),
  };
  checkShape(list);
  return list;
}

/** What the user key signs: the encoding without the signature. */
export function unsignedFields(list: DeviceList): CborValue[] {
  return [
    FORMAT_VERSION,
    list.userPublicKey,
    list.version,
    list.devices.map(certificateToCbor),
    list.revoked,
  ];
}

/**
 * What encoding requires, so each set of devices has one encoding and Kith never sends a list it
 * would refuse: key and signature sizes, a safe version, limits, strictly ascending IDs.
 */
export function checkShape(list: DeviceList): void {
  if (list.userPublicKey.length !== ED25519_PUBLIC_KEY_LENGTH) {
    throw new IdentityError('IDENTITY_INVALID_KEY', 'a user public key is 32 bytes');
  }
  if (list.signature.length !== ED25519_SIGNATURE_LENGTH) {
    throw new IdentityError('IDENTITY_MALFORMED', 'a device list signature is 64 bytes');
  }
  if (!Number.isSafeInteger(list.version) || list.version < 0) {
    throw new IdentityError('IDENTITY_MALFORMED', 'the version is not a safe unsigned integer');
  }
  if (list.devices.length > MAX_LISTED_DEVICES) {
    throw new IdentityError('IDENTITY_TOO_MANY', `at most ${MAX_LISTED_DEVICES} devices`);
  }
  if (list.revoked.length > MAX_REVOKED_DEVICES) {
    throw new IdentityError('IDENTITY_TOO_MANY', `at most ${MAX_REVOKED_DEVICES} revoked devices`);
  }
  checkAscending(list.devices.map(idOf), 'devices');
  for (const id of list.revoked) {
    if (!isDeviceId(id)) throw new IdentityError('IDENTITY_MALFORMED', `revoked: not a device ID`);
  }
  checkAscending(list.revoked, 'revoked');
}

function checkAscending(ids: readonly string[], what: string): void {
  for (let i = 1; i < ids.length; i++) {
    if (compareIds(ids[i - 1] ?? '', ids[i] ?? '') >= 0) {
      throw new IdentityError(
        'IDENTITY_MALFORMED',
        `${what}: device IDs must be unique and in ascending order`,
      );
    }
  }
}

function readDeviceId(value: CborValue, what: string): DeviceId {
  const text = shape.text(value, what);
  if (!isDeviceId(text)) throw new IdentityError('IDENTITY_MALFORMED', `${what}: not a device ID`);
  return text;
}

export function idOf(certificate: DeviceCertificate): DeviceId {
  return deviceIdFromPublicKey(certificate.devicePublicKey);
}

/** IDs are ASCII, so code-unit order is byte order. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
