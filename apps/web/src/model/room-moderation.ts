import type { HistorySharing, KithClient, RoomId, UserId } from '@kith/core';
import { roomAdmin, type AssignableRole, type RoomAdmin } from './room-admin.ts';

/** A room's members, roles and settings: what a moderator does, in the UI's terms. */
export class RoomModeration {
  readonly #client: KithClient;
  readonly #nameOf: (user: UserId) => string;

  constructor(client: KithClient, nameOf: (user: UserId) => string) {
    this.#client = client;
    this.#nameOf = nameOf;
  }

  /** The room's members, the banned, its settings, and what this user may change. */
  admin(roomId: RoomId): RoomAdmin {
    return roomAdmin(this.#client, roomId, this.#nameOf);
  }

  setRole(roomId: RoomId, user: UserId, role: AssignableRole): Promise<void> {
    return this.#client.setRole(roomId, user, role);
  }

  /** Removes a member (they may be invited again). */
  kick(roomId: RoomId, user: UserId): Promise<void> {
    return this.#client.remove(roomId, user);
  }

  ban(roomId: RoomId, user: UserId): Promise<void> {
    return this.#client.ban(roomId, user);
  }

  unban(roomId: RoomId, user: UserId): Promise<void> {
    return this.#client.unban(roomId, user);
  }

  leave(roomId: RoomId): Promise<void> {
    return this.#client.leave(roomId);
  }

  /** Changes the room's name and topic (what is left out stays). */
  setRoomProfile(roomId: RoomId, change: { name?: string; topic?: string }): Promise<void> {
    return this.#client.setRoomProfile(roomId, change);
  }

  /** Every message of the room disappears `ms` after it is sent (undefined: they stay). */
  setDisappearing(roomId: RoomId, ms: number | undefined): Promise<void> {
    return this.#client.setDisappearing(roomId, ms);
  }

  /** What members who join later may read: everything ('all') or what is sent after they join. */
  setHistorySharing(roomId: RoomId, history: HistorySharing): Promise<void> {
    return this.#client.setHistorySharing(roomId, history);
  }
}
