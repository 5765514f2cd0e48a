import type { RoomId, UserId } from '../ids.ts';

/**
 * The URIs that go into MIMI message IDs (draft-ietf-mimi-content, "Message ID"). Every member
 * must derive the same strings, so they are built in one place.
 */
export function userUri(userId: UserId): string {
  return `kith:user/${userId}`;
}

/** A room's URI in MIMI message IDs and exports: `kith:room/<room ID>`. */
export function roomUri(roomId: RoomId): string {
  return `kith:room/${roomId}`;
}
