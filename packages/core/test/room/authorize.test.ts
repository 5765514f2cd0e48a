import { describe, expect, it } from 'vitest';
import type { UserId } from '../../src/ids.ts';
import { authorizeRoomChange } from '../../src/room/authorize.ts';
import { CAPABILITY_CODES, type Capability } from '../../src/room/capabilities.ts';
import { Roles, type RoleName } from '../../src/room/roles.ts';
import {
  can,
  newRoomState,
  withChanges,
  withParticipant,
  type RoomState,
} from '../../src/room/room-state.ts';
import {
  adm,
  alice,
  ban,
  carol,
  editRole,
  extendRole,
  mem,
  mod,
  out,
  populatedRoom,
  userId,
  verdictOf,
} from './fixtures.ts';

const check = (before: RoomState, after: RoomState, by: UserId, leavers: UserId[] = []) =>
  verdictOf(authorizeRoomChange(before, after, by, { leavers: new Set(leavers) }));

describe('default roles', () => {
  const room = populatedRoom();
  const holders: Record<RoleName, UserId> = {
    none: out,
    banned: ban,
    member: mem,
    moderator: mod,
    admin: adm,
    owner: alice,
  };
  // The lowest role that holds each capability, per the defaults.
  const lowest: readonly (readonly [Capability, RoleName])[] = [
    ['canSendMessage', 'member'],
    ['canReplyToMessage', 'member'],
    ['canReactToMessage', 'member'],
    ['canEditOwnMessage', 'member'],
    ['canDeleteOwnMessage', 'member'],
    ['canRemoveSelf', 'member'],
    ['canChangeRoomName', 'moderator'],
    ['canChangeRoomDescription', 'moderator'],
    ['canChangeRoomAvatar', 'moderator'],
    ['canDeleteOtherMessage', 'moderator'],
    ['canKick', 'moderator'],
    ['canBan', 'admin'],
    ['canUnBan', 'admin'],
    ['canChangeUserRole', 'admin'],
    ['canChangeRoomMembershipStyle', 'admin'],
    ['canChangeRoleDefinitions', 'owner'],
  ];
  const order: readonly RoleName[] = ['none', 'banned', 'member', 'moderator', 'admin', 'owner'];
  it.each(lowest)('%s is held from %s up', (capability, from) => {
    const held = order.map((role) => can(room, holders[role], capability));
    expect(held).toEqual(order.map((role) => order.indexOf(role) >= order.indexOf(from)));
  });

  it('makes the creator the only participant, as owner', () => {
    const fresh = newRoomState({ kind: 'group', creator: alice });
    expect([...fresh.participants]).toEqual([[alice, Roles.owner]]);
    expect(fresh.invitesRestricted).toBe(false);
  });
});

describe('no change', () => {
  it('is allowed for any participant, and refused for a non-participant', () => {
    const room = populatedRoom();
    expect(check(room, room, mem)).toBe('allowed');
    expect(check(room, room, ban)).toBe('NOT_A_MEMBER');
    expect(check(room, room, out)).toBe('NOT_A_MEMBER');
  });

  it('does not count a reordered role table as a change', () => {
    const room = populatedRoom();
    const reordered = withChanges(room, { roles: [...room.roles].reverse() });
    expect(check(room, reordered, mem)).toBe('allowed');
  });
});

describe('banned users', () => {
  it('come back in two steps: unban (banned -> none), then invite', () => {
    const room = populatedRoom();
    const unbanned = withParticipant(room, ban, Roles.none);
    expect(check(room, unbanned, adm)).toBe('allowed');
    expect(check(unbanned, withParticipant(unbanned, ban, Roles.member), mem)).toBe('allowed');
  });

  it('cannot lift their own ban by "leaving"', () => {
    const room = populatedRoom();
    const verdict = check(room, withParticipant(room, ban, Roles.none), ban, [ban]);
    expect(verdict).not.toBe('allowed');
  });
});

describe('the last owner', () => {
  const room = populatedRoom(); // alice is the only owner

  it('cannot leave while others remain', () => {
    expect(check(room, withParticipant(room, alice, Roles.none), alice, [alice])).toBe(
      'NO_OWNER_LEFT',
    );
  });

  it('may leave when nobody else is active (banned users do not count)', () => {
    let alone = newRoomState({ kind: 'group', creator: alice });
    alone = withParticipant(alone, ban, Roles.banned);
    expect(check(alone, withParticipant(alone, alice, Roles.none), alice, [alice])).toBe('allowed');
  });

  it('may leave after making someone else owner, or in the same change', () => {
    const handed = withParticipant(room, mem, Roles.owner);
    expect(check(room, handed, alice)).toBe('allowed');
    const left = withParticipant(handed, alice, Roles.none);
    expect(check(handed, left, alice, [alice])).toBe('allowed');
    expect(check(room, left, alice, [alice])).toBe('allowed');
  });

  it('cannot be demoted, removed or banned, even by a role allowed to', () => {
    // The owner lets admins act on owners: the invariant, not the role table, must stop them.
    const lax = editRole(room, Roles.admin, (r) =>
      extendRole(r, [], [[Roles.owner, [Roles.none, Roles.banned, Roles.admin]]]),
    );
    for (const to of [Roles.admin, Roles.none, Roles.banned]) {
      expect(check(lax, withParticipant(lax, alice, to), adm)).toBe('NO_OWNER_LEFT');
    }
    // With a second owner, the same moves are fine.
    const two = withParticipant(lax, mod, Roles.owner);
    for (const to of [Roles.admin, Roles.none, Roles.banned]) {
      expect(check(two, withParticipant(two, alice, to), adm)).toBe('allowed');
    }
  });

  it('cannot step down itself (nobody changes their own role)', () => {
    expect(check(room, withParticipant(room, alice, Roles.admin), alice)).toBe('NOT_ALLOWED');
  });

  it('of two may leave, or be demoted by the other', () => {
    const two = withParticipant(room, mem, Roles.owner);
    expect(check(two, withParticipant(two, alice, Roles.none), alice, [alice])).toBe('allowed');
    expect(check(two, withParticipant(two, alice, Roles.admin), mem)).toBe('allowed');
  });
});

describe('direct messages', () => {
  const dm = withParticipant(newRoomState({ kind: 'dm', creator: alice }), mem, Roles.member);

  it('refuse adding a third user, whoever adds', () => {
    for (const by of [alice, mem]) {
      expect(check(dm, withParticipant(dm, carol, Roles.member), by)).toBe('DM_FIXED');
    }
  });

  it('refuse a banned user straight back in, even where a role table would allow it', () => {
    let room = withParticipant(dm, carol, Roles.banned);
    room = editRole(room, Roles.owner, (r) => extendRole(r, [], [[Roles.banned, [Roles.member]]]));
    expect(check(room, withParticipant(room, carol, Roles.member), alice)).toBe('BANNED');
  });

  it('still allow what does not add a user', () => {
    const renamed = withChanges(dm, { profile: { ...dm.profile, name: 'us' } });
    expect(check(dm, renamed, alice)).toBe('allowed');
    expect(check(dm, withParticipant(dm, mem, Roles.none), mem, [mem])).toBe('allowed');
  });
});

describe('the room kind', () => {
  it('never changes, even for an owner', () => {
    const group = populatedRoom();
    expect(check(group, withChanges(group, { kind: 'dm' }), alice)).toBe('INVALID_CHANGE');
    const dm = withParticipant(newRoomState({ kind: 'dm', creator: alice }), mem, Roles.member);
    expect(check(dm, withChanges(dm, { kind: 'group' }), alice)).toBe('INVALID_CHANGE');
  });
});

describe('role table changes by the owner', () => {
  const room = populatedRoom();
  const { canChangeRoomName, canSendMessage } = CAPABILITY_CODES;

  it.each([
    ['dropping role 0 (none)', editRole(room, Roles.none, () => undefined)],
    ['dropping role 1 (banned)', editRole(room, Roles.banned, () => undefined)],
    ['dropping the owner role', editRole(room, Roles.owner, () => undefined)],
    [
      'giving role 0 a capability',
      editRole(room, Roles.none, (r) => extendRole(r, [canSendMessage])),
    ],
    [
      'giving role 1 a capability',
      editRole(room, Roles.banned, (r) => extendRole(r, [canSendMessage])),
    ],
  ])('refuse %s', (_, after) => {
    expect(check(room, after, alice)).toBe('INVALID_CHANGE');
  });

  it('refuse an admin first for the capability, whatever the table', () => {
    expect(
      check(
        room,
        editRole(room, Roles.owner, () => undefined),
        adm,
      ),
    ).toBe('NOT_ALLOWED');
  });

  it('allow a new role and new capabilities, which then apply', () => {
    const guest = {
      index: 6,
      name: 'guest',
      capabilities: new Set([canSendMessage]),
      roleChanges: new Map(),
    };
    const more = withChanges(room, { roles: [...room.roles, guest] });
    expect(check(room, more, alice)).toBe('allowed');

    const loud = editRole(room, Roles.member, (r) => extendRole(r, [canChangeRoomName]));
    expect(check(room, loud, alice)).toBe('allowed');
    const renamed = withChanges(loud, { profile: { ...loud.profile, name: 'by a member' } });
    expect(check(room, withChanges(renamed, { roles: room.roles }), mem)).toBe('NOT_ALLOWED');
    expect(check(loud, renamed, mem)).toBe('allowed');
  });

  it('count renaming a role as a change', () => {
    const renamed = editRole(room, Roles.member, (r) => ({ ...r, name: 'citizen' }));
    expect(check(room, renamed, adm)).toBe('NOT_ALLOWED');
    expect(check(room, renamed, alice)).toBe('allowed');
  });

  // Found while testing, not from the issue: dropping a role that participants still hold is
  // allowed here, but the resulting state does not decode (room-state-codec refuses a
  // participant with an unknown role), so every member would then refuse the commit's
  // GroupContext as INVALID_CHANGE anyway. authorize.ts should refuse it itself.
  it('refuse dropping a role that participants still hold', () => {
    expect(
      check(
        room,
        editRole(room, Roles.moderator, () => undefined),
        alice,
      ),
    ).toBe('INVALID_CHANGE');
  });
});

describe('several changes at once', () => {
  it('are refused if any one is', () => {
    const room = populatedRoom();
    const after = withParticipant(
      withChanges(room, { profile: { ...room.profile, name: 'x' } }),
      mem,
      Roles.banned,
    );
    expect(check(room, after, mod)).toBe('NOT_ALLOWED'); // may rename, may not ban
    expect(check(room, after, adm)).toBe('allowed');
  });

  it('allow inviting many users at once', () => {
    let after = populatedRoom();
    for (let n = 20; n < 30; n++) after = withParticipant(after, userId(n), Roles.member);
    expect(check(populatedRoom(), after, mem)).toBe('allowed');
  });
});
