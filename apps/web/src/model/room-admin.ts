import type { HistorySharing, KithClient, RoomId, UserId } from '@kith/core';

/** A role a member may be given (MIMI's own roles, banned aside). */
export const ASSIGNABLE_ROLES = ['member', 'moderator', 'admin', 'owner'] as const;
export type AssignableRole = (typeof ASSIGNABLE_ROLES)[number];

/** An action on a member: allowed, or refused with the reason the UI shows beside it. */
export interface Allowed {
  readonly ok: boolean;
  readonly why: string | undefined;
}

interface MemberItem {
  readonly userId: UserId;
  readonly name: string;
  readonly role: string;
  readonly me: boolean;
  readonly devices: number;
  readonly kick: Allowed;
  readonly ban: Allowed;
  readonly setRole: Allowed;
}

/** What the room's settings panel offers, each with whether this user's role allows it. */
export interface RoomAdmin {
  readonly members: readonly MemberItem[];
  readonly banned: readonly {
    readonly userId: UserId;
    readonly name: string;
    readonly unban: Allowed;
  }[];
  readonly disappearAfterMs: number | undefined;
  /** What members who join later may read. */
  readonly history: HistorySharing;
  readonly name: string;
  readonly topic: string;
  readonly rename: Allowed;
  readonly describe: Allowed;
  /** Changing disappearing messages and history sharing: admins and owners by default. */
  readonly changeSettings: Allowed;
  readonly leave: Allowed;
}

const yes: Allowed = { ok: true, why: undefined };
const no = (why: string): Allowed => ({ ok: false, why });

/**
 * A room's members and what this user may do to each, from their role's capabilities (the same
 * rules every member's device applies; the engine refuses anything else before sending).
 */
export function roomAdmin(
  client: KithClient,
  roomId: RoomId,
  nameOf: (user: UserId) => string,
): RoomAdmin {
  const room = client.room(roomId);
  const caps = new Set<string>(client.capabilities(roomId).capabilities);
  const active = room.active;
  const gate = (capability: string, what: string): Allowed =>
    !active
      ? no('You are no longer in this room')
      : room.kind === 'dm'
        ? no('A direct message has no moderation')
        : caps.has(capability)
          ? yes
          : no(`Your role may not ${what}`);
  const devices = new Map<UserId, number>();
  for (const d of room.devices) devices.set(d.userId, (devices.get(d.userId) ?? 0) + 1);
  const members = room.participants
    .filter((p) => p.role !== 'banned')
    .map((p) => {
      const me = p.userId === client.userId;
      const self = no('That is you');
      return {
        userId: p.userId,
        name: nameOf(p.userId),
        role: p.role,
        me,
        devices: devices.get(p.userId) ?? 0,
        kick: me ? self : gate('canRemoveParticipant', 'remove members'),
        ban: me ? self : gate('canBan', 'ban members'),
        setRole: me ? self : gate('canChangeUserRole', "change members' roles"),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name) || (a.userId < b.userId ? -1 : 1));
  const banned = room.participants
    .filter((p) => p.role === 'banned')
    .map((p) => ({ userId: p.userId, name: nameOf(p.userId), unban: gate('canUnBan', 'unban') }));
  return {
    members,
    banned,
    disappearAfterMs: room.disappearAfterMs,
    history: room.history,
    name: room.name,
    topic: room.topic,
    rename: gate('canChangeRoomName', 'rename the room'),
    describe: gate('canChangeRoomDescription', "change the room's topic"),
    changeSettings: gate('canChangeRoomMembershipStyle', 'change the room settings'),
    leave: active ? yes : no('You are no longer in this room'),
  };
}

/** "5 minutes", "1 day": a disappearing time as the settings and messages show it. */
export function durationText(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
    [1000, 'second'],
  ];
  for (const [size, name] of units) {
    if (ms >= size) {
      const n = Math.round(ms / size);
      return `${n} ${name}${n === 1 ? '' : 's'}`;
    }
  }
  return 'less than a second';
}
