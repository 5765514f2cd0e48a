import { userIdFromPublicKey } from '../../src/identity/user-id.ts';
import type { UserId } from '../../src/ids.ts';
import type { Refusal, RefusalCode } from '../../src/room/refusal.ts';
import { Roles, type RoleDefinition, type RoleIndex, type RoleName } from '../../src/room/roles.ts';
import {
  newRoomState,
  withChanges,
  withParticipant,
  type RoomKind,
  type RoomState,
} from '../../src/room/room-state.ts';

/** A well-formed user ID (the codec checks the form), distinct for each `n`. */
export function userId(n: number): UserId {
  return userIdFromPublicKey(new Uint8Array(32).fill(n));
}

export const alice = userId(1);
export const mem = userId(2);
export const mod = userId(3);
export const adm = userId(4);
export const ban = userId(5);
export const out = userId(6);
export const actor = userId(7);
export const carol = userId(8);

/**
 * A room created by alice (owner) with one user of each role as targets: mem (member), mod
 * (moderator), adm (admin), ban (banned); out is not a participant.
 */
export function populatedRoom(kind: RoomKind = 'group'): RoomState {
  let room = newRoomState({ kind, creator: alice, name: 'room', topic: 'topic' });
  room = withParticipant(room, mem, Roles.member);
  room = withParticipant(room, mod, Roles.moderator);
  room = withParticipant(room, adm, Roles.admin);
  room = withParticipant(room, ban, Roles.banned);
  return room;
}

/** The populated room with `actor` holding `role` (absent for none). */
export function roomWithActor(role: RoleName): RoomState {
  return withParticipant(populatedRoom(), actor, Roles[role]);
}

/** A copy of the role table with the definition of `index` replaced (or removed). */
export function editRole(
  room: RoomState,
  index: RoleIndex,
  edit: (role: RoleDefinition) => RoleDefinition | undefined,
): RoomState {
  const roles: RoleDefinition[] = [];
  for (const role of room.roles) {
    const edited = role.index === index ? edit(role) : role;
    if (edited !== undefined) roles.push(edited);
  }
  return withChanges(room, { roles });
}

/** `role` with extra MIMI capability codes and extra authorized role changes. */
export function extendRole(
  role: RoleDefinition,
  capabilities: readonly number[],
  changes: readonly (readonly [RoleIndex, readonly RoleIndex[]])[] = [],
): RoleDefinition {
  const roleChanges = new Map(role.roleChanges);
  for (const [from, to] of changes)
    roleChanges.set(from, [...(roleChanges.get(from) ?? []), ...to]);
  return { ...role, capabilities: new Set([...role.capabilities, ...capabilities]), roleChanges };
}

export type Verdict = 'allowed' | RefusalCode;

export function verdictOf(refusal: Refusal | undefined): Verdict {
  return refusal === undefined ? 'allowed' : refusal.code;
}
