import type { UserId } from '../ids.ts';
import type { Capability } from './capabilities.ts';
import type { DeviceCut } from './cuts.ts';
import { defaultRoles, roleHas, Roles, type RoleDefinition, type RoleIndex } from './roles.ts';

/** A group room, or a direct conversation between two users. */
export type RoomKind = 'group' | 'dm';

/** What members who join later may read: everything, or only what is sent after they join. */
export type HistorySharing = 'all' | 'since-joined';

/** What members see of a room: name, topic and avatar. */
export interface RoomProfile {
  readonly name: string;
  readonly topic: string;
  /** A reference to an image (a blob URI once media exists); undefined for none. */
  readonly avatar: string | undefined;
}

/**
 * The control-plane state of a conversation: it lives in the MLS GroupContext (extension
 * `ROOM_STATE_EXTENSION_TYPE`), so every member at an epoch agrees on it, and it changes only
 * through commits that every member checks with `authorizeRoomChange`.
 */
export interface RoomState {
  readonly kind: RoomKind;
  readonly profile: RoomProfile;
  /** When true, only roles with canChangeRoomMembershipStyle (admins, owners) may invite. */
  readonly invitesRestricted: boolean;
  readonly history: HistorySharing;
  /**
   * Disappearing messages for the whole room: every message expires this many ms after it was
   * sent (members enforce it on receipt, whatever the sender wrote); undefined for never.
   */
  readonly disappearAfterMs: number | undefined;
  readonly roles: readonly RoleDefinition[];
  /** Users with a role other than 0: participants, and banned users (role 1). */
  readonly participants: ReadonlyMap<UserId, RoleIndex>;
  /**
   * Where the timelines of devices that were removed or whose user's role changed were cut
   * (cuts.ts), sorted by device then seq; kept for as long as the room exists. Absent: none.
   */
  readonly cuts?: readonly DeviceCut[];
}

/** What a new room starts with; its creator becomes its owner. */
export interface NewRoomOptions {
  readonly kind: RoomKind;
  readonly creator: UserId;
  readonly name?: string;
  readonly topic?: string;
  readonly history?: HistorySharing;
  readonly invitesRestricted?: boolean;
  readonly disappearAfterMs?: number;
}

/** The room-wide disappearing time, at least a second and at most a year. */
export const DisappearLimits = { minMs: 1000, maxMs: 366 * 86_400_000 } as const;

/** The first state of a new room, with Kith's default roles. */
export function newRoomState(options: NewRoomOptions): RoomState {
  return {
    kind: options.kind,
    profile: { name: options.name ?? '', topic: options.topic ?? '', avatar: undefined },
    invitesRestricted: options.invitesRestricted ?? false,
    history: options.history ?? 'all',
    disappearAfterMs: options.disappearAfterMs,
    roles: defaultRoles(),
    participants: new Map([[options.creator, Roles.owner]]),
  };
}

/** The role of `user` (none for a user who is not a participant). */
export function roleOf(state: RoomState, user: UserId): RoleIndex {
  return state.participants.get(user) ?? Roles.none;
}

/** The room's definition of role `index`, if it has one. */
export function roleDefinition(state: RoomState, index: RoleIndex): RoleDefinition | undefined {
  return state.roles.find((r) => r.index === index);
}

/** Whether `user` holds `capability` in `state` (banned and absent users hold none). */
export function can(state: RoomState, user: UserId, capability: Capability): boolean {
  return roleHas(roleDefinition(state, roleOf(state, user)), capability);
}

/** Participants that are in the room (role 2 and up), not banned. */
export function activeParticipants(state: RoomState): UserId[] {
  const out: UserId[] = [];
  for (const [user, role] of state.participants) if (role >= Roles.member) out.push(user);
  return out;
}

/** Whether `user` is banned from the room. */
export function isBanned(state: RoomState, user: UserId): boolean {
  return state.participants.get(user) === Roles.banned;
}

/** A copy of `state` with some fields replaced (participants and roles copied, not shared). */
export function withChanges(
  state: RoomState,
  changes: Partial<Omit<RoomState, 'participants'>> & {
    readonly participants?: ReadonlyMap<UserId, RoleIndex>;
  },
): RoomState {
  return { ...state, ...changes };
}

/** A copy of `state` with `user` in `role` (role none removes them). */
export function withParticipant(state: RoomState, user: UserId, role: RoleIndex): RoomState {
  const participants = new Map(state.participants);
  if (role === Roles.none) participants.delete(user);
  else participants.set(user, role);
  return { ...state, participants };
}
