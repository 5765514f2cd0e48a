import type { KithClient, RoomId, RoomSummary, UserId } from '@kith/core';

/** A room as the room list shows it. */
export interface RoomItem {
  readonly roomId: RoomId;
  readonly name: string;
  /** Its image reference (a DM: the other person's), if any; see avatarLook. */
  readonly avatar?: string | undefined;
  readonly dm: boolean;
  /** For a DM: the other person. */
  readonly partner: UserId | undefined;
  /** For a DM: the other person's presence, when a device of theirs announced it. */
  readonly presence?: 'online' | 'away' | 'offline' | undefined;
  readonly unread: number;
  readonly mentions: boolean;
  readonly active: boolean;
  /** Sender's time of the newest message, 0 for none: the list's order. */
  readonly lastActivity: number;
}

/** The two lists the sidebar shows, each in a stable order. */
export interface RoomLists {
  readonly rooms: readonly RoomItem[];
  readonly dms: readonly RoomItem[];
  /** Messages from others not yet read, over every room (the tab title shows it). */
  readonly unread: number;
}

/**
 * The user a DM is with: its one participant other than `me`, or undefined for a group, a room
 * this device is out of, or a DM the other user left.
 */
function dmPartner(room: RoomSummary, me: UserId): UserId | undefined {
  if (room.kind !== 'dm' || !room.active) return undefined;
  const others = room.participants.filter((p) => p.userId !== me && p.role !== 'banned');
  return others.length === 1 ? others[0]?.userId : undefined;
}

/**
 * DMs apart from rooms; each list newest activity first, then by name and room ID, so the order
 * only changes when a message arrives (never between two renders of the same state). When both
 * users started a DM at once, each device holds two: the one with the lower room ID is shown
 * (the terminal messenger picks the same).
 */
export function roomLists(items: readonly RoomItem[]): RoomLists {
  const byPartner = new Map<UserId, RoomItem>();
  const rooms: RoomItem[] = [];
  const dms: RoomItem[] = [];
  for (const item of items) {
    if (!item.dm) rooms.push(item);
    else if (item.partner === undefined) dms.push(item);
    else {
      const seen = byPartner.get(item.partner);
      if (seen === undefined || item.roomId < seen.roomId) byPartner.set(item.partner, item);
    }
  }
  dms.push(...byPartner.values());
  const order = (a: RoomItem, b: RoomItem): number =>
    b.lastActivity - a.lastActivity ||
    a.name.localeCompare(b.name) ||
    (a.roomId < b.roomId ? -1 : a.roomId > b.roomId ? 1 : 0);
  return {
    rooms: rooms.sort(order),
    dms: dms.sort(order),
    unread: [...rooms, ...dms].reduce((n, r) => n + r.unread, 0),
  };
}

/** Each room of the client as the list shows it (names of DMs are the other person's). */
export function roomItems(
  client: KithClient,
  me: UserId,
  nameOf: (user: UserId) => string,
  mentioned: (roomId: RoomId) => boolean,
): RoomItem[] {
  return client.rooms().map((r) => {
    const partner = dmPartner(r, me);
    const last = client.timeline(r.roomId).at(-1);
    return {
      roomId: r.roomId,
      name: r.kind === 'dm' && partner !== undefined ? nameOf(partner) : r.name || 'Unnamed room',
      avatar:
        partner === undefined
          ? r.avatar
          : client.members(r.roomId).find((m) => m.userId === partner)?.avatar,
      dm: r.kind === 'dm',
      partner,
      presence: partner === undefined ? undefined : client.presence(partner)?.state,
      unread: client.unreadCount(r.roomId),
      mentions: mentioned(r.roomId),
      active: r.active,
      lastActivity: last?.ts ?? 0,
    };
  });
}
