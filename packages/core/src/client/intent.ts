import type { KeyPackage } from 'ts-mls';
import { decodeKeyPackage } from '../group/key-package.ts';
import { deviceOfKeyPackage } from '../group/leaves.ts';
import type { UserId } from '../ids.ts';
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
 * A control-plane change the user asked for, kept as what was meant rather than the commit
 * that carried it: if that commit loses a fork, the intent is applied again to the winning
 * chain (and may turn out to be done already, or no longer allowed).
 */
export interface Intent {
  /** Key packages of devices to add. */
  readonly adds: readonly KeyPackage[];
  /** Users whose devices are all removed. */
  readonly removeUsers: readonly UserId[];
  /** The room state wanted, from the current one; undefined for no change. */
  readonly room: (current: RoomState) => RoomState | undefined;
}

/** Invites users: adds the given devices, and their users as members where they are not yet. */
export function inviteIntent(kps: readonly KeyPackage[]): Intent {
  const users = new Set<UserId>();
  for (const kp of kps) {
    const d = deviceOfKeyPackage(kp);
    if (d === undefined) {
      throw new ClientError('BAD_KEY_PACKAGE', 'a key package is not a Kith device');
    }
    users.add(d.userId);
  }
  return {
    adds: kps,
    removeUsers: [],
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

/** Moves a user to a role; removing (none) and banning also remove all their devices. */
export function roleIntent(user: UserId, role: RoleIndex): Intent {
  return {
    adds: [],
    removeUsers: role === Roles.none || role === Roles.banned ? [user] : [],
    room: (r) => withParticipant(r, user, role),
  };
}

/** Lifts a ban: the user goes back to "not a participant" (inviting is a separate step). */
export function unbanIntent(user: UserId): Intent {
  return { adds: [], removeUsers: [], room: (r) => withParticipant(r, user, Roles.none) };
}

export interface ProfileChange {
  readonly name?: string;
  readonly topic?: string;
  /** null removes the avatar. */
  readonly avatar?: string | null;
}

export function profileIntent(profile: ProfileChange): Intent {
  return {
    adds: [],
    removeUsers: [],
    room: (r) =>
      withChanges(r, {
        profile: {
          name: profile.name ?? r.profile.name,
          topic: profile.topic ?? r.profile.topic,
          avatar: profile.avatar === null ? undefined : (profile.avatar ?? r.profile.avatar),
        },
      }),
  };
}

export function invitesRestrictedIntent(restricted: boolean): Intent {
  return {
    adds: [],
    removeUsers: [],
    room: (r) => withChanges(r, { invitesRestricted: restricted }),
  };
}

/** What members who join later may read of what is written from now on. */
export function historyIntent(history: HistorySharing): Intent {
  return {
    adds: [],
    removeUsers: [],
    room: (r) => withChanges(r, { history }),
  };
}

/** How long messages in the room last (undefined: until retracted). */
export function disappearingIntent(ms: number | undefined): Intent {
  if (
    ms !== undefined &&
    (!Number.isSafeInteger(ms) || ms < DisappearLimits.minMs || ms > DisappearLimits.maxMs)
  ) {
    throw new ClientError('INVALID_ARGUMENT', 'a disappearing time is 1 second to 366 days');
  }
  return {
    adds: [],
    removeUsers: [],
    room: (r) => withChanges(r, { disappearAfterMs: ms }),
  };
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
