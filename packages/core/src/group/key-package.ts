import {
  decodeMlsMessage,
  defaultLifetime,
  encodeMlsMessage,
  generateKeyPackageWithKey,
  type CiphersuiteImpl,
  type KeyPackage,
  type PrivateKeyPackage,
} from 'ts-mls';
import { deviceCredential } from '../identity/credential.ts';
import type { DeviceIdentity } from '../identity/identities.ts';
import { deviceOfKeyPackage, type MemberDevice } from './leaves.ts';
import { kithCapabilities } from './suite.ts';

/**
 * A key package and its private keys: the public half goes to inviters, the private half stays on
 * the device until a Welcome uses it.
 */
export interface DeviceKeyPackage {
  readonly publicPackage: KeyPackage;
  readonly privatePackage: PrivateKeyPackage;
}

/**
 * A key package for `device`, signed with the device key itself: the device key is the MLS
 * signature key, so the leaf credential's certificate binds the leaf to the user.
 */
export function createDeviceKeyPackage(
  device: DeviceIdentity,
  cs: CiphersuiteImpl,
): Promise<DeviceKeyPackage> {
  return generateKeyPackageWithKey(
    deviceCredential(device.certificate),
    kithCapabilities(cs.rng),
    defaultLifetime,
    [],
    { signKey: device.keyPair.secretKey, publicKey: device.keyPair.publicKey },
    cs,
  );
}

/** The wire form of a key package: an MLSMessage with wireformat mls_key_package. */
export function encodeKeyPackage(kp: KeyPackage): Uint8Array {
  return encodeMlsMessage({ version: 'mls10', wireformat: 'mls_key_package', keyPackage: kp });
}

/**
 * Reads an encoded key package (an MLSMessage); undefined for anything else, trailing bytes
 * included.
 */
export function decodeKeyPackage(bytes: Uint8Array): KeyPackage | undefined {
  try {
    const decoded = decodeMlsMessage(bytes, 0);
    if (decoded?.[1] !== bytes.length) return undefined;
    const message = decoded[0];
    return message.wireformat === 'mls_key_package' ? message.keyPackage : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whose key package this is: the certified device of its leaf, or undefined for bytes that are
 * not a Kith device's key package. Lets a runtime check that the device it asked answered
 * with its own (the signature itself is checked when the package is added to a group).
 */
export function keyPackageOwner(bytes: Uint8Array): MemberDevice | undefined {
  const kp = decodeKeyPackage(bytes);
  return kp === undefined ? undefined : deviceOfKeyPackage(kp);
}
