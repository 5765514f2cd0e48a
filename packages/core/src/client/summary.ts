import type { DeviceId, RoomId, UserId } from '../ids.ts';
import type { RoomState } from '../room/room-state.ts';
import type { RoomSession } from './room-session.ts';

/** A room as a list of rooms shows it. */
export interface RoomSummary {
  readonly roomId: RoomId;
  readonly kind: RoomState['kind'];
  readonly name: string;
  readonly topic: string;
  readonly epoch: bigint;
  /** False once this device has left or been removed. */
  readonly active: boolean;
  readonly participants: readonly { readonly userId: UserId; readonly role: string }[];
  /** Member devices, with the key that authenticates them (and names them on the network). */
  readonly devices: readonly {
    readonly deviceId: DeviceId;
    readonly userId: UserId;
    readonly publicKey: Uint8Array;
  }[];
}

export function summarize(s: RoomSession): RoomSummary {
  const room = s.group.room;
  const names = new Map<number, string>(room.roles.map((r) => [r.index, r.name]));
  return {
    roomId: s.roomId,
    kind: room.kind,
    name: room.profile.name,
    topic: room.profile.topic,
    epoch: s.group.head.epoch,
    active: s.active,
    participants: [...room.participants].map(([userId, role]) => ({
      userId,
      role: names.get(role) ?? String(role),
    })),
    devices: s.members().map((m) => ({
      deviceId: m.deviceId,
      userId: m.userId,
      publicKey: m.publicKey,
    })),
  };
}
