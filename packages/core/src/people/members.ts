import type { DeviceId, UserId } from '../ids.ts';
import { cleanDisplayText } from './display-text.ts';
import { decodeDeviceProfile, ProfileLimits, type DeviceProfile } from './profile.ts';

/** A member device as the control plane knows it (its user comes from its certificate). */
export interface KnownDevice {
  readonly deviceId: DeviceId;
  /** Its user, from its certificate. */
  readonly userId: UserId;
  /** The name in the device's certificate, used until the device publishes a profile. */
  readonly certifiedName: string;
}

/** One device of a member, with the name it shows. */
export interface MemberDeviceProfile {
  readonly deviceId: DeviceId;
  /** Its name: from its profile, else from its certificate. */
  readonly deviceName: string;
}

/** A room member as people see it: the newest of its devices' profiles, and each device. */
export interface RoomMember {
  readonly userId: UserId;
  /** The name of their role in the room. */
  readonly role: string;
  /** undefined when none of the user's devices published a name. */
  readonly displayName: string | undefined;
  /** Their avatar reference; undefined without one. */
  readonly avatar: string | undefined;
  /** When the profile shown was set (see DeviceProfile.updatedAt); undefined without one. */
  readonly profileSetAt: number | undefined;
  /** Their devices in the room, each with its name. */
  readonly devices: readonly MemberDeviceProfile[];
}

/** The profile that speaks for a user, and when it was set. */
export interface UserProfile {
  /** The display name; undefined for none. */
  readonly displayName: string | undefined;
  /** The avatar reference; undefined for none. */
  readonly avatar: string | undefined;
  /** When the device set it (its clock, ms): the newest profile of a user's devices wins. */
  readonly updatedAt: number;
  /** The device whose profile this is. */
  readonly device: DeviceId;
}

/**
 * The profile of each user from the published values of their member devices: the one with the
 * highest `updatedAt` wins, ties going to the higher device ID, so every member picks the same.
 * A value is attributed to the user its author device belongs to, never to the user it names.
 */
export function userProfiles(
  devices: readonly KnownDevice[],
  values: ReadonlyMap<DeviceId, Uint8Array>,
): Map<UserId, UserProfile> {
  const out = new Map<UserId, UserProfile>();
  for (const d of devices) {
    const bytes = values.get(d.deviceId);
    const p = bytes === undefined ? undefined : decodeDeviceProfile(bytes);
    if (p === undefined) continue;
    const best = out.get(d.userId);
    if (best !== undefined && !newer(p, d.deviceId, best)) continue;
    out.set(d.userId, {
      displayName: p.userName === '' ? undefined : p.userName,
      avatar: p.avatar,
      updatedAt: p.updatedAt,
      device: d.deviceId,
    });
  }
  return out;
}

function newer(p: DeviceProfile, device: DeviceId, than: UserProfile): boolean {
  if (p.updatedAt !== than.updatedAt) return p.updatedAt > than.updatedAt;
  return device > than.device;
}

/** Each participant with their profile and their devices' names, in participant order. */
export function roomMembers(
  participants: readonly { readonly userId: UserId; readonly role: string }[],
  devices: readonly KnownDevice[],
  values: ReadonlyMap<DeviceId, Uint8Array>,
): RoomMember[] {
  const profiles = userProfiles(devices, values);
  return participants.map(({ userId, role }) => {
    const profile = profiles.get(userId);
    return {
      userId,
      role,
      displayName: profile?.displayName,
      avatar: profile?.avatar,
      profileSetAt: profile?.updatedAt,
      devices: devices
        .filter((d) => d.userId === userId)
        .map((d) => {
          const bytes = values.get(d.deviceId);
          const own = bytes === undefined ? undefined : decodeDeviceProfile(bytes);
          const name =
            own !== undefined && own.deviceName !== ''
              ? own.deviceName
              : cleanDisplayText(d.certifiedName, ProfileLimits.maxNameChars);
          return { deviceId: d.deviceId, deviceName: name };
        }),
    };
  });
}
