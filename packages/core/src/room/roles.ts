import { CAPABILITY_CODES, type Capability } from './capabilities.ts';

/**
 * Role indexes as in MIMI room policy: 0 is "not a participant", 1 is "banned" (the draft requires
 * exactly that index for canBan/canUnBan). Kith's defaults add member, moderator, admin, owner.
 */
export const Roles = {
  none: 0,
  banned: 1,
  member: 2,
  moderator: 3,
  admin: 4,
  owner: 5,
} as const;

/** A role's index in the room state (see `Roles` for Kith's defaults; rooms may define more). */
export type RoleIndex = number;
/** The name of one of Kith's default roles. */
export type RoleName = keyof typeof Roles;

/**
 * A role of a room: its index, name, capabilities, and which roles its holders may move others
 * between.
 */
export interface RoleDefinition {
  readonly index: RoleIndex;
  readonly name: string;
  /** MIMI capability codes; codes Kith does not know are kept so a re-encoding loses nothing. */
  readonly capabilities: ReadonlySet<number>;
  /**
   * MIMI `authorized_role_changes`: for a target whose current role is the key, the roles the
   * holder may move it to (0 removes, 1 bans). Never consulted for the holder itself.
   */
  readonly roleChanges: ReadonlyMap<RoleIndex, readonly RoleIndex[]>;
}

const MEMBER: readonly Capability[] = [
  'canSendMessage',
  'canReceiveMessage',
  'canReplyToMessage',
  'canReactToMessage',
  'canDeleteOwnReaction',
  'canEditOwnMessage',
  'canDeleteOwnMessage',
  'canStartTopic',
  'canReplyInTopic',
  'canUploadAttachment',
  'canAddParticipant',
  'canAddOwnClient',
  'canRemoveOwnClient',
  'canRemoveSelf',
];
const MODERATOR: readonly Capability[] = [
  ...MEMBER,
  'canChangeRoomName',
  'canChangeRoomDescription',
  'canChangeRoomAvatar',
  'canDeleteOtherMessage',
  'canDeleteOtherReaction',
  'canRemoveParticipant',
  'canKick',
];
const ADMIN: readonly Capability[] = [
  ...MODERATOR,
  'canBan',
  'canUnBan',
  'canChangeUserRole',
  'canChangeRoomMembershipStyle',
];
const OWNER: readonly Capability[] = [...ADMIN, 'canChangeRoleDefinitions'];

const { none, banned, member, moderator, admin, owner } = Roles;

/**
 * The defaults of the issue: members send, reply, react, edit and retract their own; moderators
 * also edit the room profile, retract anyone's messages and kick members; admins also ban,
 * unban, invite when invites are restricted and change roles below their own; owners change
 * anything, including what each role may do.
 */
export function defaultRoles(): readonly RoleDefinition[] {
  return [
    role(none, 'none', [], []),
    role(banned, 'banned', [], []),
    role(member, 'member', MEMBER, []),
    role(moderator, 'moderator', MODERATOR, [[member, [none]]]),
    role(admin, 'admin', ADMIN, [
      [none, [banned]],
      [banned, [none]],
      [member, [none, banned, moderator]],
      [moderator, [none, banned, member]],
    ]),
    role(owner, 'owner', OWNER, [
      [none, [banned]],
      [banned, [none]],
      [member, [none, banned, moderator, admin, owner]],
      [moderator, [none, banned, member, admin, owner]],
      [admin, [none, banned, member, moderator, owner]],
      [owner, [none, banned, member, moderator, admin]],
    ]),
  ];
}

function role(
  index: RoleIndex,
  name: string,
  capabilities: readonly Capability[],
  changes: readonly (readonly [RoleIndex, readonly RoleIndex[]])[],
): RoleDefinition {
  return {
    index,
    name,
    capabilities: new Set(capabilities.map((c) => CAPABILITY_CODES[c])),
    roleChanges: new Map(changes),
  };
}

/** Whether `role` grants `capability` (no role grants nothing). */
export function roleHas(role: RoleDefinition | undefined, capability: Capability): boolean {
  return role?.capabilities.has(CAPABILITY_CODES[capability]) ?? false;
}
