import type { DeviceId, RoomId, UserId } from '../ids.ts';
import type { RoomState } from '../room/room-state.ts';
import type { RoomSession } from './room-session.ts';

/** A room as a list of rooms shows it. */
export interface RoomSummary {
  readonly roomId: RoomId;
  /** A group room or a DM. */
  readonly kind: RoomState['kind'];
  /** The room's name ('' for none). */
  readonly name: string;
  /** The room's topic ('' for none). */
  readonly topic: string;
  /** An image reference (filled by the media work); undefined for none. */
  readonly avatar: string | undefined;
  /** What members who join later may read (the policy in force now). */
  readonly history: RoomState['history'];
  /** Messages disappear this many ms after they are sent, for everyone; undefined: never. */
  readonly disappearAfterMs: number | undefined;
  /**
   * Messages this device knows of but was never given the content of: history from before it
   * joined that the room did not share. Zero when its history is complete.
   */
  readonly withheld: number;
  /** The MLS epoch this device is at in the room. */
  readonly epoch: bigint;
  /** False once this device has left or been removed. */
  readonly active: boolean;
  /** The room's participants with their role names. */
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
    avatar: room.profile.avatar,
    history: room.history,
    disappearAfterMs: room.disappearAfterMs,
    withheld: s.doc.withheldCount,
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
