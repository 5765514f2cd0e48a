import { encodeCbor } from '../cbor/encode.ts';
import type { CborValue } from '../cbor/value.ts';
import {
  ED25519_PUBLIC_KEY_LENGTH,
  ED25519_SIGNATURE_LENGTH,
  signWithContext,
  verifyWithContext,
  type SigningKeyPair,
} from '../crypto/ed25519.ts';
import { IdentityError } from './errors.ts';
import { decodeIdentityCbor, readVersioned, shape } from './shape.ts';

/**
 * A user's statement that a device key belongs to one of their devices. The device key is also
 * the device's MLS signature key (and later its libp2p identity), so one certificate ties every
 * message a device signs to its user.
 */
export interface DeviceCertificate {
  readonly userPublicKey: Uint8Array;
  readonly devicePublicKey: Uint8Array;
  /** Shown to the user's contacts in device lists: at most 64 UTF-8 bytes. */
  readonly deviceName: string;
  /** Milliseconds since the Unix epoch, from the issuing device's clock (informational). */
  readonly issuedAt: number;
  /** Ed25519 by the user key, context `kith/device-certificate/v1`, over the encoding without it. */
  readonly signature: Uint8Array;
}

/** The signature context of device certificates: their signatures verify for nothing else. */
export const DEVICE_CERTIFICATE_CONTEXT = 'kith/device-certificate/v1';
const FORMAT_VERSION = 1;
/** Longest device name a certificate may carry, in UTF-8 bytes. */
export const MAX_DEVICE_NAME_BYTES = 64;

/** Certifies `devicePublicKey` as a device of the user holding `userKeyPair`; `now` in ms. */
export function issueDeviceCertificate(
  userKeyPair: SigningKeyPair,
  devicePublicKey: Uint8Array,
  deviceName: string,
  now: number,
): DeviceCertificate {
  const unsigned = {
    userPublicKey: userKeyPair.publicKey,
    devicePublicKey,
    deviceName,
    issuedAt: now,
  };
  checkFields(unsigned);
  const signature = signWithContext(
    userKeyPair.secretKey,
    DEVICE_CERTIFICATE_CONTEXT,
    encodeCbor(unsignedFields(unsigned)),
  );
  return { ...unsigned, signature };
}

/** `[1, userPublicKey, devicePublicKey, deviceName, issuedAt, signature]` in deterministic CBOR. */
export function encodeDeviceCertificate(certificate: DeviceCertificate): Uint8Array {
  return encodeCbor(certificateToCbor(certificate));
}

/** Checks the structure only; `verifyDeviceCertificate` checks the signature. */
export function decodeDeviceCertificate(bytes: Uint8Array): DeviceCertificate {
  return certificateFromCbor(decodeIdentityCbor(bytes, 'device certificate'), 'device certificate');
}

/** True if the user key in the certificate signed exactly these fields (never throws). */
export function verifyDeviceCertificate(certificate: DeviceCertificate): boolean {
  let signed: Uint8Array;
  try {
    checkFields(certificate);
    signed = encodeCbor(unsignedFields(certificate));
  } catch {
    return false;
  }
  return verifyWithContext(
    certificate.userPublicKey,
    DEVICE_CERTIFICATE_CONTEXT,
    signed,
    certificate.signature,
  );
}

/** The certificate as the CBOR array it is encoded as; device identities and lists nest it. */
export function certificateToCbor(certificate: DeviceCertificate): CborValue {
  checkFields(certificate);
  if (certificate.signature.length !== ED25519_SIGNATURE_LENGTH) {
    throw new IdentityError(
      'IDENTITY_MALFORMED',
      `a certificate signature is ${ED25519_SIGNATURE_LENGTH} bytes`,
    );
  }
  return [...unsignedFields(certificate), certificate.signature];
}

export function certificateFromCbor(value: CborValue, what: string): DeviceCertificate {
  const [userKey, deviceKey, name, issuedAt, signature] = readVersioned(
    value,
    what,
    FORMAT_VERSION,
    5,
  );
  const certificate: DeviceCertificate = {
    userPublicKey: shape.bytes(userKey, `${what}.userPublicKey`, ED25519_PUBLIC_KEY_LENGTH),
    devicePublicKey: shape.bytes(deviceKey, `${what}.devicePublicKey`, ED25519_PUBLIC_KEY_LENGTH),
    // No bound here: checkDeviceName reports a long name as IDENTITY_INVALID_NAME.
    deviceName: shape.text(name, `${what}.deviceName`, Number.POSITIVE_INFINITY),
    issuedAt: shape.uint(issuedAt, `${what}.issuedAt`),
    signature: shape.bytes(signature, `${what}.signature`, ED25519_SIGNATURE_LENGTH),
  };
  checkDeviceName(certificate.deviceName, `${what}.deviceName`);
  return certificate;
}

function unsignedFields(fields: Omit<DeviceCertificate, 'signature'>): CborValue[] {
  return [
    FORMAT_VERSION,
    fields.userPublicKey,
    fields.devicePublicKey,
    fields.deviceName,
    fields.issuedAt,
  ];
}

/** What encoding requires of the fields, so Kith never sends a certificate it would refuse. */
function checkFields(fields: Omit<DeviceCertificate, 'signature'>): void {
  for (const [key, name] of [
    [fields.userPublicKey, 'userPublicKey'],
    [fields.devicePublicKey, 'devicePublicKey'],
  ] as const) {
    if (key.length !== ED25519_PUBLIC_KEY_LENGTH) {
      throw new IdentityError(
        'IDENTITY_INVALID_KEY',
        `${name}: ${ED25519_PUBLIC_KEY_LENGTH} bytes expected, got ${key.length}`,
      );
    }
  }
  if (!Number.isSafeInteger(fields.issuedAt) || fields.issuedAt < 0) {
    throw new IdentityError(
      'IDENTITY_MALFORMED',
      `issuedAt: milliseconds since the epoch expected, got ${fields.issuedAt}`,
    );
  }
  checkDeviceName(fields.deviceName, 'deviceName');
}

const encoder = new TextEncoder();

function checkDeviceName(name: string, what: string): void {
  // A lone surrogate has no UTF-8 form; TextEncoder would silently turn it into U+FFFD.
  if (/\p{Cs}/u.test(name)) {
    throw new IdentityError('IDENTITY_INVALID_NAME', `${what}: contains a lone surrogate`);
  }
  const length = encoder.encode(name).length;
  if (length > MAX_DEVICE_NAME_BYTES) {
    throw new IdentityError(
      'IDENTITY_INVALID_NAME',
      `${what}: at most ${MAX_DEVICE_NAME_BYTES} UTF-8 bytes, got ${length}`,
    );
  }
}
