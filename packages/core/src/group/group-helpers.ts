import { decodeMlsMessage, type ClientState, type Extension, type MLSMessage } from 'ts-mls';
import { encodeRoomState, ROOM_STATE_EXTENSION_TYPE } from '../room/room-state-codec.ts';
import type { RoomState } from '../room/room-state.ts';
import type { Refusal } from '../room/refusal.ts';
import type { CheckedCommit } from './commit-policy.ts';
import { epochIdOf, type EpochRecord } from './epoch.ts';
import { memberDevices } from './leaves.ts';
import type { ReceiveOutcome } from './outcomes.ts';

/** Small pure helpers of ConversationGroup. */

export function firstRecord(state: ClientState, room: RoomState): EpochRecord {
  return {
    epoch: state.groupContext.epoch,
    epochId: epochIdOf(state),
    state,
    room,
    commit: undefined,
    committedByMe: false,
  };
}

export function roomExtension(room: RoomState): Extension {
  return { extensionType: ROOM_STATE_EXTENSION_TYPE, extensionData: encodeRoomState(room) };
}

export function withRoom(state: ClientState, room: RoomState): Extension[] {
  return [
    ...state.groupContext.extensions.filter((e) => e.extensionType !== ROOM_STATE_EXTENSION_TYPE),
    roomExtension(room),
  ];
}

export function decodeMessage(bytes: Uint8Array): MLSMessage | undefined {
  try {
    const decoded = decodeMlsMessage(bytes, 0);
    if (decoded?.[1] !== bytes.length) return undefined;
    return decoded[0];
  } catch {
    return undefined;
  }
}

export function rejected(
  reason: 'malformed' | 'undecryptable' | 'not-allowed' | 'not-a-member',
  detail: string,
  refusal?: Refusal,
): ReceiveOutcome {
  return refusal === undefined
    ? { kind: 'rejected', reason, detail }
    : { kind: 'rejected', reason, detail, refusal };
}

export function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** What a commit changed, read from the epochs before and after it (for a branch switched to). */
export function changeBetween(parent: EpochRecord, child: EpochRecord): CheckedCommit {
  const before = memberDevices(parent.state);
  const after = memberDevices(child.state);
  const keysBefore = new Set(before.map((d) => d.deviceId));
  const keysAfter = new Set(after.map((d) => d.deviceId));
  return {
    room: child.room,
    added: after.filter((d) => !keysBefore.has(d.deviceId)),
    removed: before.filter((d) => !keysAfter.has(d.deviceId)),
    leavers: new Set(),
  };
}
