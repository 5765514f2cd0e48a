import { decodeDeviceCertificate } from '../identity/device-certificate.ts';
import type { UserId } from '../ids.ts';
import { roomMembers, userProfiles, type KnownDevice, type RoomMember } from '../people/members.ts';
import { mentionedUsers } from '../people/mentions.ts';
import {
  cleanAvatar,
  decodeDeviceProfile,
  encodeDeviceProfile,
  PROFILE_META_KEY,
  ProfileLimits,
  type DeviceProfile,
} from '../people/profile.ts';
import { cleanDisplayText } from '../people/display-text.ts';
import type { KvStore } from '../storage/store.ts';
import { TimelineError } from '../timeline/errors.ts';
import type { DeviceContext } from './device-context.ts';
import { ClientError } from './errors.ts';
import type { KithEvent } from './events.ts';
import type { RoomSession } from './room-session.ts';
import { summarize } from './summary.ts';

/** Where a device keeps the profile it publishes, for rooms it joins later. */
const OWN_PROFILE_KEY = 'profile/device';

/** What a user sets: their display name, and an avatar reference (an image URI) or none. */
export interface ProfileInput {
  readonly displayName: string;
  readonly avatar?: string;
}

export async function loadOwnProfile(kv: KvStore): Promise<DeviceProfile | undefined> {
  const bytes = await kv.get(OWN_PROFILE_KEY);
  return bytes === undefined ? undefined : decodeDeviceProfile(bytes);
}

async function storeOwnProfile(kv: KvStore, profile: DeviceProfile): Promise<void> {
  await kv.put(OWN_PROFILE_KEY, encodeDeviceProfile(profile));
}

/**
 * The profile to publish for `input`: cleaned, refused when the cleaned name is still too long
 * to be what the user meant, and stamped later than any profile of this user this device has
 * seen, so the newest change wins on every device even when the user's clocks disagree.
 */
function newOwnProfile(
  input: ProfileInput,
  deviceName: string,
  user: UserId,
  sessions: Iterable<RoomSession>,
  now: number,
): DeviceProfile {
  const name = cleanDisplayText(input.displayName, Infinity);
  if (cleanDisplayText(name, ProfileLimits.maxNameChars) !== name) {
    throw new ClientError(
      'INVALID_ARGUMENT',
      `a display name is at most ${ProfileLimits.maxNameChars} characters`,
    );
  }
  const avatar = cleanAvatar(input.avatar);
  if (input.avatar !== undefined && input.avatar !== '' && avatar === undefined) {
    throw new ClientError('INVALID_ARGUMENT', 'an avatar is an image URI (at most 512 characters)');
  }
  let after = 0;
  for (const s of sessions) {
    const seen = userProfiles(knownDevices(s), s.doc.metaValues(PROFILE_META_KEY)).get(user);
    if (seen !== undefined) after = Math.max(after, seen.updatedAt);
  }
  const updatedAt = Math.min(Number.MAX_SAFE_INTEGER, Math.max(now, after + 1));
  return { userName: name, deviceName, avatar, updatedAt };
}

/**
 * Sets this device's profile (see KithClient.setProfile): stored first, for rooms joined later,
 * then published in every room it is in now.
 */
export async function setOwnProfile(d: DeviceContext, input: ProfileInput): Promise<void> {
  const next = newOwnProfile(
    input,
    d.device.certificate.deviceName,
    d.device.userId,
    d.sessions.values(),
    d.env.clock.now(),
  );
  await storeOwnProfile(d.kv, next);
  d.profile = next;
  for (const s of d.sessions.values()) await announceProfile(s, next);
}

/** Publishes `profile` in a room unless it holds it already; a forked device writes nothing. */
export async function announceProfile(
  session: RoomSession,
  profile: DeviceProfile | undefined,
): Promise<void> {
  if (profile === undefined || !session.active) return;
  try {
    await session.writeMeta(PROFILE_META_KEY, encodeDeviceProfile(profile));
  } catch (error) {
    // This device forked in this room: it can write nothing there, its name included.
    if (!(error instanceof TimelineError)) throw error;
  }
}

/** The room's member devices, each with the user its certificate names. */
function knownDevices(session: RoomSession): KnownDevice[] {
  return session.members().map((m) => ({
    deviceId: m.deviceId,
    userId: m.userId,
    certifiedName: certifiedName(m.certificate),
  }));
}

function certifiedName(certificate: Uint8Array): string {
  try {
    return decodeDeviceCertificate(certificate).deviceName;
  } catch {
    return '';
  }
}

/** The room's participants (banned users aside) with their profiles and devices. */
export function membersOf(session: RoomSession): RoomMember[] {
  const participants = summarize(session).participants.filter((p) => p.role !== 'banned');
  return roomMembers(participants, knownDevices(session), session.doc.metaValues(PROFILE_META_KEY));
}

/** `mention` events for messages from others that arrived in `event` and mention `me`. */
export function mentionEvents(event: KithEvent, me: UserId): KithEvent[] {
  if (event.type !== 'timeline') return [];
  const out: KithEvent[] = [];
  for (const change of event.changes) {
    if (change.type !== 'added' || change.message.sender === me) continue;
    if (change.message.retracted) continue;
    if (!mentionedUsers(change.message.content).includes(me)) continue;
    out.push({
      type: 'mention',
      roomId: event.roomId,
      messageId: change.message.messageId,
      by: change.message.sender,
    });
  }
  return out;
}
