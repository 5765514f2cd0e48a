import { hmac } from '@noble/hashes/hmac.js';
import { encodeCbor } from '../cbor/encode.ts';
import { bytesEqual, concatBytes } from '../crypto/bytes.ts';
import { ED25519_PUBLIC_KEY_LENGTH } from '../crypto/ed25519.ts';
import { labeledHash, sha256 } from '../crypto/hash.ts';
import { utf8 } from '../crypto/utf8.ts';
import type { RandomPort } from '../ports/random.ts';
import { base32Decode, base32Encode } from './base32.ts';
import { IdentityError } from './errors.ts';
import { decodeIdentityCbor, readVersioned, shape } from './shape.ts';

/**
 * A one-time device link (docs/PROTOCOL.md §2.4): what a device of a user shows so that a new
 * device can become a device of the same user. It names the showing device (its key, which is
 * also its libp2p identity, and where to dial it), a 32-byte secret, and when it expires. The
 * secret authenticates both ends of the link protocol; the short code both show binds the
 * secret to the two device keys, so the user confirms the very device they hold.
 */
export interface DeviceLinkOffer {
  /** The showing (old) device's public key: its peer ID follows from it. */
  readonly devicePublicKey: Uint8Array;
  /** Multiaddrs of the showing device (each ending in its /p2p/ peer ID). */
  readonly addresses: readonly string[];
  /** The one-time secret; whoever has it may ask to link, once. */
  readonly secret: Uint8Array;
  /** Milliseconds since the epoch, by the showing device's clock; refused afterwards. */
  readonly expiresAt: number;
}

/** Limits of a link's text, so a pasted or scanned link is bounded before it is decoded. */
export const DeviceLinkLimits = {
  secretBytes: 32,
  idBytes: 16,
  maxAddresses: 8,
  maxAddressLength: 256,
  maxTextLength: 4096,
  /** How long a link stays usable by default. */
  defaultTtlMs: 10 * 60 * 1000,
} as const;

const SCHEME = 'kith-link:';
const CHECKSUM_BYTES = 4;
const FORMAT_VERSION = 1;

/** A fresh offer for this device, valid `ttlMs` from `now`. */
export function createDeviceLinkOffer(
  random: RandomPort,
  devicePublicKey: Uint8Array,
  addresses: readonly string[],
  now: number,
  ttlMs: number = DeviceLinkLimits.defaultTtlMs,
): DeviceLinkOffer {
  const offer = {
    devicePublicKey,
    addresses: addresses.slice(0, DeviceLinkLimits.maxAddresses),
    secret: random.bytes(DeviceLinkLimits.secretBytes),
    expiresAt: now + ttlMs,
  };
  checkOffer(offer);
  return offer;
}

/** `kith-link:` + base32(CBOR [1, key, [address...], secret, expiresAt] || checksum). */
export function encodeDeviceLink(offer: DeviceLinkOffer): string {
  checkOffer(offer);
  const body = encodeCbor([
    FORMAT_VERSION,
    offer.devicePublicKey,
    [...offer.addresses],
    offer.secret,
    offer.expiresAt,
  ]);
  return SCHEME + base32Encode(concatBytes(body, checksum(body)));
}

/** Reads a link's text (any letter case, surrounding spaces); an IdentityError if it is not one. */
export function decodeDeviceLink(text: string): DeviceLinkOffer {
  const trimmed = text.trim();
  if (trimmed.length > DeviceLinkLimits.maxTextLength) {
    throw new IdentityError('IDENTITY_MALFORMED', 'device link: too long');
  }
  const lower = trimmed.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
  if (!lower.startsWith(SCHEME)) {
    throw new IdentityError(
      'IDENTITY_MALFORMED',
      `device link: it does not start with "${SCHEME}"`,
    );
  }
  const bytes = base32Decode(lower.slice(SCHEME.length));
  if (bytes === undefined || bytes.length <= CHECKSUM_BYTES) {
    throw new IdentityError('IDENTITY_MALFORMED', 'device link: damaged (not base32)');
  }
  const body = bytes.subarray(0, bytes.length - CHECKSUM_BYTES);
  if (!bytesEqual(bytes.subarray(bytes.length - CHECKSUM_BYTES), checksum(body))) {
    throw new IdentityError('IDENTITY_MALFORMED', 'device link: damaged (checksum mismatch)');
  }
  const what = 'device link';
  const [key, addresses, secret, expiresAt] = readVersioned(
    decodeIdentityCbor(body, what),
    what,
    FORMAT_VERSION,
    4,
  );
  const offer: DeviceLinkOffer = {
    devicePublicKey: shape.bytes(key, `${what}.key`, ED25519_PUBLIC_KEY_LENGTH),
    addresses: shape
      .array(addresses, `${what}.addresses`)
      .map((a, i) => shape.text(a, `${what}.addresses[${i}]`, DeviceLinkLimits.maxAddressLength)),
    secret: shape.bytes(secret, `${what}.secret`, DeviceLinkLimits.secretBytes),
    expiresAt: shape.uint(expiresAt, `${what}.expiresAt`),
  };
  checkOffer(offer);
  return offer;
}

/** Names a link to the device that showed it without revealing the secret. */
export function deviceLinkId(secret: Uint8Array): Uint8Array {
  return labeledHash('kith/device-link/id/v1', secret).subarray(0, DeviceLinkLimits.idBytes);
}

/** Which end of the link protocol computes a proof: they differ, so one cannot echo the other. */
export type DeviceLinkRole = 'new' | 'old';

/**
 * Proof that one end knows the link's secret, bound to both device keys (which the libp2p
 * connection authenticates) and to the new device's name: HMAC-SHA256 under a key derived from
 * the secret. Seen on one connection, it is worth nothing on another.
 */
export function deviceLinkProof(
  secret: Uint8Array,
  role: DeviceLinkRole,
  oldDeviceKey: Uint8Array,
  newDeviceKey: Uint8Array,
  deviceName: string,
): Uint8Array {
  const key = labeledHash('kith/device-link/mac-key/v1', secret);
  const nameHash = sha256(utf8(deviceName));
  return hmac(sha256, key, concatBytes(utf8(role), oldDeviceKey, newDeviceKey, nameHash));
}

/** Compares a proof in time independent of where the bytes differ. */
export function checkDeviceLinkProof(expected: Uint8Array, given: Uint8Array): boolean {
  if (expected.length !== given.length) return false;
  let diff = 0;
  for (let i = 0; i < expected.length; i++) diff |= (expected[i] ?? 0) ^ (given[i] ?? 0);
  return diff === 0;
}

/**
 * The code both devices show, `123 456`: from the secret and both keys, so a device that got
 * the link some other way (a photo of the QR code) shows another code than the one in hand.
 */
export function deviceLinkCode(
  secret: Uint8Array,
  oldDeviceKey: Uint8Array,
  newDeviceKey: Uint8Array,
): string {
  const hash = labeledHash('kith/device-link/code/v1', secret, oldDeviceKey, newDeviceKey);
  let value = 0;
  for (let i = 0; i < 5; i++) value = value * 256 + (hash[i] ?? 0);
  const digits = String(value % 1_000_000).padStart(6, '0');
  return `${digits.slice(0, 3)} ${digits.slice(3)}`;
}

function checksum(body: Uint8Array): Uint8Array {
  return labeledHash('kith/device-link/v1', body).subarray(0, CHECKSUM_BYTES);
}

function checkOffer(offer: DeviceLinkOffer): void {
  if (offer.devicePublicKey.length !== ED25519_PUBLIC_KEY_LENGTH) {
    throw new IdentityError('IDENTITY_INVALID_KEY', 'device link: a device key is 32 bytes');
  }
  if (offer.secret.length !== DeviceLinkLimits.secretBytes) {
    throw new IdentityError('IDENTITY_MALFORMED', 'device link: the secret is 32 bytes');
  }
  if (offer.addresses.length > DeviceLinkLimits.maxAddresses) {
    throw new IdentityError('IDENTITY_MALFORMED', 'device link: too many addresses');
  }
  if (offer.addresses.some((a) => a.length > DeviceLinkLimits.maxAddressLength)) {
    throw new IdentityError('IDENTITY_MALFORMED', 'device link: an address is too long');
  }
  if (!Number.isSafeInteger(offer.expiresAt) || offer.expiresAt < 0) {
    throw new IdentityError('IDENTITY_MALFORMED', 'device link: bad expiry');
  }
}
