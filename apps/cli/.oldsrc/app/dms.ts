import type { RoomId, RoomSummary, UserId } from '@kith/core';

/**
 * The user a DM is with: its one active participant other than `me`, or undefined for a group,
 * a room this device is out of, or a DM the other user left.
 */
export function dmPartner(room: RoomSummary, me: UserId): UserId | undefined {
  if (room.kind !== 'dm' || !room.active) return undefined;
  const others = room.participants.filter((p) => p.userId !== me && p.role !== 'banned');
  return others.length === 1 ? others[0]?.userId : undefined;
}

/**
 * The DM with `user`, if there is one. There is one DM per pair of users; when both started one
 * at the same time, each side ends up with both, and both pick the same: the lower room ID.
 */
export function dmWith(
  rooms: readonly RoomSummary[],
  me: UserId,
  user: UserId,
): RoomId | undefined {
  let best: RoomId | undefined;
  for (const r of rooms) {
    if (dmPartner(r, me) !== user) continue;
    if (best === undefined || r.roomId < best) best = r.roomId;
  }
  return best;
}

/** DMs that lost that tie-break: kept on the device, left out of the room list. */
export function duplicateDms(rooms: readonly RoomSummary[], me: UserId): Set<RoomId> {
  const kept = new Map<UserId, RoomId>();
  const hidden = new Set<RoomId>();
  for (const r of rooms) {
    const partner = dmPartner(r, me);
    if (partner === undefined) continue;
    const other = kept.get(partner);
    if (other === undefined) kept.set(partner, r.roomId);
    else if (r.roomId < other) {
      hidden.add(other);
      kept.set(partner, r.roomId);
    } else hidden.add(r.roomId);
  }
  return hidden;
}

/**
 * Starts DMs one at a time per user on this device, so two quick calls for the same user make
 * one room (the second waits for the first and finds it).
 */
export class DmStarter {
  readonly #pending = new Map<UserId, Promise<RoomId>>();

  async start(
    user: UserId,
    find: () => RoomId | undefined,
    create: () => Promise<RoomId>,
  ): Promise<{ roomId: RoomId; created: boolean }> {
    const pending = this.#pending.get(user);
    if (pending !== undefined) await pending.catch(() => undefined);
    const existing = find();
    if (existing !== undefined) return { roomId: existing, created: false };
    const creating = create();
    this.#pending.set(user, creating);
    try {
      return { roomId: await creating, created: true };
    } finally {
      if (this.#pending.get(user) === creating) this.#pending.delete(user);
    }
  }
}
