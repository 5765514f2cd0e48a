import { decodeCbor } from '../cbor/decode.ts';
import { encodeCbor } from '../cbor/encode.ts';
import { ShapeReader } from '../cbor/shape.ts';
import { cleanDisplayText } from './display-text.ts';

/**
 * The `meta:` key under which each device publishes its profile in every room it is in
 * (docs/PROTOCOL.md §6.5). Meta values are per author device: a device can only ever write its
 * own, so a profile speaks for the user its device certificate names, and for nobody else.
 */
export const PROFILE_META_KEY = 'profile';

/** Limits on what a profile may hold; longer values are cut or dropped when read. */
export const ProfileLimits = {
  /** Code points of a display name or a device name, after cleaning. */
  maxNameChars: 64,
  /** Characters of an avatar reference (an image URI the media work fills in). */
  maxAvatarChars: 512,
} as const;

/** What one device says about its user and itself. */
export interface DeviceProfile {
  /** The user's display name ('' for none). */
  readonly userName: string;
  readonly deviceName: string;
  /** An image reference (a URI), undefined for none. */
  readonly avatar: string | undefined;
  /**
   * When the user set it, in milliseconds: the writer's clock, raised above every profile of
   * its user it had seen, so a change made later on any of the user's devices wins everywhere.
   */
  readonly updatedAt: number;
}

const URI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s\p{Cc}]*$/u;

/** An avatar reference as stored: a URI of bounded length, or undefined when it is not one. */
export function cleanAvatar(avatar: string | undefined): string | undefined {
  if (avatar === undefined || avatar.length > ProfileLimits.maxAvatarChars) return undefined;
  return URI.test(avatar) ? avatar : undefined;
}

/** A profile with its text cleaned (see cleanDisplayText) and its avatar checked. */
function cleanProfile(p: DeviceProfile): DeviceProfile {
  return {
    userName: cleanDisplayText(p.userName, ProfileLimits.maxNameChars),
    deviceName: cleanDisplayText(p.deviceName, ProfileLimits.maxNameChars),
    avatar: cleanAvatar(p.avatar),
    updatedAt: Math.max(0, Math.floor(p.updatedAt)),
  };
}

/** A profile as the meta value a device publishes in its rooms, cleaned first. */
export function encodeDeviceProfile(p: DeviceProfile): Uint8Array {
  const c = cleanProfile(p);
  return encodeCbor([1, c.userName, c.deviceName, c.avatar ?? null, c.updatedAt]);
}

const r = new ShapeReader((path, message) => new Error(`profile ${path}: ${message}`));

/**
 * A device's profile as another member published it, cleaned; undefined when the value is not
 * a profile (it is untrusted input: a bad one costs its author its name, nothing more).
 */
export function decodeDeviceProfile(bytes: Uint8Array): DeviceProfile | undefined {
  try {
    const a = r.array(decodeCbor(bytes, { maxDepth: 1 }), '', 5);
    r.version(a[0], 1);
    const avatar = a[3] === null ? undefined : r.text(a[3], 'avatar', 2048);
    return cleanProfile({
      userName: r.text(a[1], 'userName', 1024),
      deviceName: r.text(a[2], 'deviceName', 1024),
      avatar,
      updatedAt: r.uint(a[4], 'updatedAt'),
    });
  } catch {
    return undefined;
  }
}
