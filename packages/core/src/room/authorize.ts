import type { UserId } from '../ids.ts';
import type { Capability } from './capabilities.ts';
import { refuse, type Refusal } from './refusal.ts';
import { Roles, roleHas, type RoleDefinition, type RoleIndex } from './roles.ts';
import { encodeRoomState } from './room-state-codec.ts';
import { roleDefinition, roleOf, type RoomState } from './room-state.ts';

/** What a commit tells `authorizeRoomChange` besides the two states. */
export interface RoomChangeContext {
  /** Users who proposed the removal of their own devices in this commit: they are leaving. */
  readonly leavers?: ReadonlySet<UserId>;
}

/**
 * Checks that `actor` may turn `before` into `after`, following MIMI room policy: each field
 * needs its capability, each participant's role move needs the capability for that kind of
 * move and an entry in the actor's `authorized_role_changes`. Every member runs the same check
 * on every commit, and the committer runs it before committing, so a change that is not
 * allowed is never applied anywhere. Returns undefined when allowed.
 */
export function authorizeRoomChange(
  before: RoomState,
  after: RoomState,
  actor: UserId,
  context: RoomChangeContext = {},
): Refusal | undefined {
  const actorRole = roleDefinition(before, roleOf(before, actor));
  const leavers = context.leavers ?? new Set<UserId>();
  const actorIsMember = roleOf(before, actor) >= Roles.member;
  if (!actorIsMember && !leavers.has(actor)) {
    return refuse('NOT_A_MEMBER', 'only participants of the room may change it');
  }
  const need = (capability: Capability, what: string): Refusal | undefined =>
    roleHas(actorRole, capability)
      ? undefined
      : refuse('NOT_ALLOWED', `your role (${actorRole?.name ?? 'none'}) may not ${what}`);

  if (after.kind !== before.kind) return refuse('INVALID_CHANGE', 'a room cannot change its kind');
  const checks: (Refusal | undefined)[] = [];
  if (after.profile.name !== before.profile.name) {
    checks.push(need('canChangeRoomName', 'rename the room'));
  }
  if (after.profile.topic !== before.profile.topic) {
    checks.push(need('canChangeRoomDescription', "change the room's topic"));
  }
  if (after.profile.avatar !== before.profile.avatar) {
    checks.push(need('canChangeRoomAvatar', "change the room's avatar"));
  }
  if (
    after.invitesRestricted !== before.invitesRestricted ||
    after.history !== before.history ||
    after.disappearAfterMs !== before.disappearAfterMs
  ) {
    checks.push(
      need('canChangeRoomMembershipStyle', 'change who may invite, see history, or keep messages'),
    );
  }
  if (!sameRoles(before.roles, after.roles)) {
    checks.push(need('canChangeRoleDefinitions', 'change what roles may do'));
    checks.push(checkRoleTable(after));
  }
  const first = checks.find((c) => c !== undefined);
  if (first !== undefined) return first;

  const users = new Set<UserId>([...before.participants.keys(), ...after.participants.keys()]);
  for (const user of users) {
    const from = roleOf(before, user);
    const to = roleOf(after, user);
    if (from === to) continue;
    const refusal = authorizeRoleMove(before, actor, actorRole, user, from, to, leavers);
    if (refusal !== undefined) return refusal;
  }
  return checkInvariants(before, after);
}

function authorizeRoleMove(
  before: RoomState,
  actor: UserId,
  actorRole: RoleDefinition | undefined,
  user: UserId,
  from: RoleIndex,
  to: RoleIndex,
  leavers: ReadonlySet<UserId>,
): Refusal | undefined {
  const has = (c: Capability): boolean => roleHas(actorRole, c);
  const listed = actorRole?.roleChanges.get(from)?.includes(to) ?? false;
  const roleName = actorRole?.name ?? 'none';
  const notAllowed = (what: string): Refusal =>
    refuse('NOT_ALLOWED', `your role (${roleName}) may not ${what}`);

  if (before.kind === 'dm' && from === Roles.none) {
    return refuse('DM_FIXED', 'a DM has exactly its two users; start a group to add someone');
  }
  if (to === Roles.none && leavers.has(user)) {
    const leaverRole = roleDefinition(before, from);
    return roleHas(leaverRole, 'canRemoveSelf') ? undefined : notAllowed('leave this room');
  }
  if (user === actor) return notAllowed('change its own role');
  if (from === Roles.none) {
    if (to === Roles.banned) return has('canBan') && listed ? undefined : notAllowed('ban users');
    if (to !== Roles.member) return notAllowed('add a user with a role above member');
    if (!has('canAddParticipant')) return notAllowed('invite users');
    if (before.invitesRestricted && !has('canChangeRoomMembershipStyle')) {
      return notAllowed('invite users while invites are restricted to admins');
    }
    return undefined;
  }
  if (from === Roles.banned) {
    if (to !== Roles.none) {
      return refuse('BANNED', 'this user is banned: unban them first, then invite them again');
    }
    if (!has('canUnBan') || !listed) return notAllowed('unban users');
    return undefined;
  }
  if (to === Roles.banned) return has('canBan') && listed ? undefined : notAllowed('ban this user');
  if (to === Roles.none) {
    return has('canRemoveParticipant') && listed ? undefined : notAllowed('remove this user');
  }
  return has('canChangeUserRole') && listed ? undefined : notAllowed("change this user's role");
}

function checkInvariants(before: RoomState, after: RoomState): Refusal | undefined {
  const owners = (s: RoomState): number =>
    [...s.participants.values()].filter((role) => role === Roles.owner).length;
  const active = [...after.participants.values()].filter((role) => role >= Roles.member).length;
  if (owners(before) > 0 && owners(after) === 0 && active > 0) {
    return refuse('NO_OWNER_LEFT', 'the room needs an owner: make someone else owner first');
  }
  if (after.kind === 'dm' && active > 2) {
    return refuse('DM_FIXED', 'a DM has exactly two users');
  }
  return undefined;
}

function checkRoleTable(state: RoomState): Refusal | undefined {
  const roles = state.roles;
  for (const [user, index] of state.participants) {
    if (!roles.some((r) => r.index === index)) {
      return refuse('INVALID_CHANGE', `role ${index} is still held by ${user}`);
    }
  }
  for (const fixed of [Roles.none, Roles.banned]) {
    const role = roles.find((r) => r.index === fixed);
    if (role === undefined || role.capabilities.size > 0) {
      return refuse(
        'INVALID_CHANGE',
        'roles 0 (none) and 1 (banned) must exist with no capabilities',
      );
    }
  }
  if (!roles.some((r) => r.index === Roles.owner)) {
    return refuse('INVALID_CHANGE', 'the owner role cannot be removed');
  }
  return undefined;
}

function sameRoles(a: readonly RoleDefinition[], b: readonly RoleDefinition[]): boolean {
  // Compare through the canonical encoding: one definition of equality for the whole role table.
  const probe = (roles: readonly RoleDefinition[]): string =>
    encodeRoomState({
      kind: 'group',
      profile: { name: '', topic: '', avatar: undefined },
      invitesRestricted: false,
      history: 'all',
      disappearAfterMs: undefined,
      roles,
      participants: new Map(),
    }).join(',');
  return probe(a) === probe(b);
}
