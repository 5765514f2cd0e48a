import { decodeMlsMessage, type KeyPackage } from 'ts-mls';
import { compareBytes, toHex } from '../crypto/bytes.ts';
import { epochIdOfContext, type EpochRecord } from '../group/epoch.ts';
import { deviceOfKeyPackage, type MemberDevice } from '../group/leaves.ts';
import { Roles } from '../room/roles.ts';
import type { RoomState } from '../room/room-state.ts';
import { decodeSignedUpdate } from '../timeline/signed-update.ts';
import type { ConversationDoc } from '../timeline/conversation-doc.ts';
import type { Intent } from './intent.ts';

/** Largest batch of signed updates in one MLS application message. */
const MAX_BATCH_BYTES = 512 * 1024;

/** Pure helpers of RoomSession. */

export function memberKeys(record: EpochRecord): string[] {
  const out: string[] = [];
  record.state.ratchetTree.forEach((node, i) => {
    if (i % 2 === 0 && node?.nodeType === 'leaf') out.push(toHex(node.leaf.signaturePublicKey));
  });
  return out;
}

export function remaining(
  intent: Intent,
  room: RoomState,
  members: readonly MemberDevice[],
): Intent {
  const present = new Set(members.map((m) => m.deviceId));
  const users = new Set(members.map((m) => m.userId));
  return {
    spec: intent.spec,
    adds: intent.adds.filter((kp: KeyPackage) => {
      const d = deviceOfKeyPackage(kp);
      return d !== undefined && !present.has(d.deviceId);
    }),
    removeUsers: intent.removeUsers.filter((u) => users.has(u)),
    removeDevices: intent.removeDevices.filter((d) => present.has(d)),
    room: (current) => {
      const wanted = intent.room(current);
      return wanted === undefined || sameRoom(wanted, room) ? undefined : wanted;
    },
  };
}

function sameRoom(a: RoomState, b: RoomState): boolean {
  return (
    !roomChangedBeyondMembers(a, b) &&
    a.participants.size === b.participants.size &&
    [...a.participants].every(([u, r]) => b.participants.get(u) === r)
  );
}

export function roomChangedBeyondMembers(a: RoomState, b: RoomState): boolean {
  return (
    a.profile.name !== b.profile.name ||
    a.profile.topic !== b.profile.topic ||
    a.profile.avatar !== b.profile.avatar ||
    a.invitesRestricted !== b.invitesRestricted ||
    a.history !== b.history ||
    a.disappearAfterMs !== b.disappearAfterMs ||
    a.roles !== b.roles ||
    [...b.participants].some(
      ([u, r]) => a.participants.has(u) && a.participants.get(u) !== r && r >= Roles.member,
    )
  );
}

export function* batches(updates: readonly Uint8Array[]): Generator<Uint8Array[]> {
  let batch: Uint8Array[] = [];
  let size = 0;
  for (const u of updates) {
    if (batch.length > 0 && size + u.length > MAX_BATCH_BYTES) {
      yield batch;
      batch = [];
      size = 0;
    }
    batch.push(u);
    size += u.length;
  }
  if (batch.length > 0) yield batch;
}

export function authorAndSeq(encoded: Uint8Array): { author: Uint8Array; seq: number } | undefined {
  try {
    const u = decodeSignedUpdate(encoded);
    return { author: u.author, seq: u.seq };
  } catch {
    return undefined;
  }
}

/** How many signed updates a document holds: the sum of its chain lengths. */
export function heldUpdates(doc: ConversationDoc): number {
  let n = 0;
  for (const head of doc.stateVector().values()) n += head.seq + 1;
  return n;
}

/** The epoch and epoch ID a GroupInfo describes; undefined when it does not decode. */
export function groupInfoHead(
  bytes: Uint8Array,
): { epoch: bigint; epochId: Uint8Array } | undefined {
  try {
    const d = decodeMlsMessage(bytes, 0);
    if (d?.[0].wireformat !== 'mls_group_info') return undefined;
    const context = d[0].groupInfo.groupContext;
    return { epoch: context.epoch, epochId: epochIdOfContext(context) };
  } catch {
    return undefined;
  }
}

/** The order that picks which chain survives when two share no epoch (see room-sync's aheadOf). */
export function isAhead(
  a: { epoch: bigint; epochId: Uint8Array },
  b: { epoch: bigint; epochId: Uint8Array },
): boolean {
  if (a.epoch !== b.epoch) return a.epoch > b.epoch;
  return compareBytes(a.epochId, b.epochId) > 0;
}
