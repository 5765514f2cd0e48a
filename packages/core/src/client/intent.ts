import type { KeyPackage } from 'ts-mls';
import { decodeKeyPackage } from '../group/key-package.ts';
import { deviceOfKeyPackage } from '../group/leaves.ts';
import type { DeviceId, UserId } from '../ids.ts';
import { Roles, type RoleIndex } from '../room/roles.ts';
import {
  DisappearLimits,
  newRoomState,
  withChanges,
  withParticipant,
  type HistorySharing,
  type RoomState,
} from '../room/room-state.ts';
import { ClientError } from './errors.ts';

/**
 * A control-plane change the user asked for, as data (stored in the room's intent log, see
 * intent-log.ts): what was meant rather than the commit that carried it.
 */
export type IntentSpec =
  | { readonly type: 'invite'; readonly keyPackages: readonly KeyPackage[] }
  | { readonly type: 'role'; readonly user: UserId; readonly role: RoleIndex }
  | { readonly type: 'unban'; readonly user: UserId }
  | { readonly type: 'profile'; readonly profile: ProfileChange }
  | { readonly type: 'invitesRestricted'; readonly restricted: boolean }
  | { readonly type: 'history'; readonly history: HistorySharing }
  | { readonly type: 'disappearing'; readonly ms: number | undefined }
  | { readonly type: 'removeDevices'; readonly devices: readonly DeviceId[] };

/**
 * A control-plane change ready to commit: if its commit loses a fork, the intent is applied
 * again to the winning chain (and may turn out to be done already, or no longer allowed).
 */
export interface Intent {
  readonly spec: IntentSpec;
  /** Key packages of devices to add. */
  readonly adds: readonly KeyPackage[];
  /** Users whose devices are all removed. */
  readonly removeUsers: readonly UserId[];
  /** Single devices removed (a user's revoked devices), their users staying. */
  readonly removeDevices: readonly DeviceId[];
  /** The room state wanted, from the current one; undefined for no change. */
  readonly room: (current: RoomState) => RoomState | undefined;
}

/** The change an intent spec asks for. */
export function intentOf(spec: IntentSpec): Intent {
  const none = { spec, adds: [], removeUsers: [], removeDevices: [] };
  switch (spec.type) {
    case 'invite':
      return inviting(spec);
    case 'role': {
      const { user, role } = spec;
      const removes = role === Roles.none || role === Roles.banned;
      return {
        ...none,
        removeUsers: removes ? [user] : [],
        room: (r) => withParticipant(r, user, role),
      };
    }
    case 'unban':
      return { ...none, room: (r) => withParticipant(r, spec.user, Roles.none) };
    case 'profile': {
      const p = spec.profile;
      return {
        ...none,
        room: (r) =>
          withChanges(r, {
            profile: {
              name: p.name ?? r.profile.name,
              topic: p.topic ?? r.profile.topic,
              avatar: p.avatar === null ? undefined : (p.avatar ?? r.profile.avatar),
            },
          }),
      };
    }
    case 'invitesRestricted':
      return { ...none, room: (r) => withChanges(r, { invitesRestricted: spec.restricted }) };
    case 'history':
      return { ...none, room: (r) => withChanges(r, { history: spec.history }) };
    case 'disappearing':
      return { ...none, room: (r) => withChanges(r, { disappearAfterMs: spec.ms }) };
    case 'removeDevices':
      return { ...none, removeDevices: spec.devices, room: () => undefined };
  }
}

function inviting(spec: Extract<IntentSpec, { type: 'invite' }>): Intent {
  const users = new Set<UserId>();
  for (const kp of spec.keyPackages) {
    const d = deviceOfKeyPackage(kp);
    if (d === undefined) {
      throw new ClientError('BAD_KEY_PACKAGE', 'a key package is not a Kith device');
    }
    users.add(d.userId);
  }
  return {
    spec,
    adds: spec.keyPackages,
    removeUsers: [],
    removeDevices: [],
    room: (r) => {
      let next = r;
      for (const u of users) {
        if ((r.participants.get(u) ?? Roles.none) === Roles.none) {
          next = withParticipant(next, u, Roles.member);
        }
      }
      return next === r ? undefined : next;
    },
  };
}

/** Invites users: adds the given devices, and their users as members where they are not yet. */
export function inviteIntent(kps: readonly KeyPackage[]): Intent {
  return intentOf({ type: 'invite', keyPackages: kps });
}

/** Moves a user to a role; removing (none) and banning also remove all their devices. */
export function roleIntent(user: UserId, role: RoleIndex): Intent {
  return intentOf({ type: 'role', user, role });
}

/** Lifts a ban: the user goes back to "not a participant" (inviting is a separate step). */
export function unbanIntent(user: UserId): Intent {
  return intentOf({ type: 'unban', user });
}

/** A change to a room's profile: only the fields given change. */
export interface ProfileChange {
  readonly name?: string;
  readonly topic?: string;
  /** null removes the avatar. */
  readonly avatar?: string | null;
}

export function profileIntent(profile: ProfileChange): Intent {
  return intentOf({ type: 'profile', profile });
}

export function invitesRestrictedIntent(restricted: boolean): Intent {
  return intentOf({ type: 'invitesRestricted', restricted });
}

/** What members who join later may read of what is written from now on. */
export function historyIntent(history: HistorySharing): Intent {
  return intentOf({ type: 'history', history });
}

/** How long messages in the room last (undefined: until retracted). */
export function disappearingIntent(ms: number | undefined): Intent {
  if (
    ms !== undefined &&
    (!Number.isSafeInteger(ms) || ms < DisappearLimits.minMs || ms > DisappearLimits.maxMs)
  ) {
    throw new ClientError('INVALID_ARGUMENT', 'a disappearing time is 1 second to 366 days');
  }
  return intentOf({ type: 'disappearing', ms });
}

/** Removes single devices of a user (revoked ones); a user may remove its own devices. */
export function removeDevicesIntent(devices: readonly DeviceId[]): Intent {
  return intentOf({ type: 'removeDevices', devices });
}

/** A key package from the wire, refused unless it is a Kith device's. */
export function readKeyPackage(bytes: Uint8Array): KeyPackage {
  const kp = decodeKeyPackage(bytes);
  if (kp === undefined) throw new ClientError('BAD_KEY_PACKAGE', 'not an MLS key package');
  if (deviceOfKeyPackage(kp) === undefined) {
    throw new ClientError('BAD_KEY_PACKAGE', 'the key package is not a Kith device');
  }
  return kp;
}

export interface NewRoomRequest {
  readonly name?: string;
  readonly topic?: string;
  /** A DM: exactly two users, both owners. */
  readonly dm?: boolean;
}

/** The room state a new room starts with; a DM lists its other user (as owner) from the start. */
export function initialRoomState(
  creator: UserId,
  request: NewRoomRequest,
  invites: readonly KeyPackage[],
): RoomState {
  const others = new Set(invites.map((kp) => deviceOfKeyPackage(kp)?.userId));
  others.delete(creator);
  if (request.dm === true && others.size !== 1) {
    throw new ClientError(
      'INVALID_ARGUMENT',
      'a DM needs the key packages of exactly one other user',
    );
  }
  let room = newRoomState({
    kind: request.dm === true ? 'dm' : 'group',
    creator,
    ...(request.name === undefined ? {} : { name: request.name }),
    ...(request.topic === undefined ? {} : { topic: request.topic }),
  });
  if (request.dm === true) {
    for (const u of others) if (u !== undefined) room = withParticipant(room, u, Roles.owner);
  }
  return room;
}
