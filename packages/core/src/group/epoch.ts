import type { ClientState, GroupContext } from 'ts-mls';
import { decodeCbor } from '../cbor/decode.ts';
import { encodeCbor } from '../cbor/encode.ts';
import { labeledHash } from '../crypto/hash.ts';
import type { DeviceId, UserId } from '../ids.ts';
import type { RoomState } from '../room/room-state.ts';

export const EPOCH_ID_LENGTH = 16;

/**
 * One epoch of the chain this device follows: the ts-mls state at that epoch, the room state
 * it carries, and the commit that created it (kept so the epoch can be replayed to members who
 * missed it, and so a competing commit can be ranked against it).
 */
export interface EpochRecord {
  readonly epoch: bigint;
  /** Names this epoch on this branch: two branches at the same epoch number differ here. */
  readonly epochId: Uint8Array;
  /** Mutable: decrypting advances the secret tree of the head epoch. */
  state: ClientState;
  readonly room: RoomState;
  /** The commit message (encoded MLSMessage) that created this epoch; absent for the first. */
  readonly commit: Uint8Array | undefined;
  readonly committedByMe: boolean;
  /**
   * Who made the commit, for fork choice (group/fork-choice.ts); undefined for the first epoch,
   * and for epochs stored before storage layout 3 (those are final: no fork reaches past them).
   */
  readonly committer?: Committer | undefined;
}

/** The device that made a commit; `external` for a device rejoining by external commit. */
export interface Committer {
  readonly user: UserId;
  readonly device: DeviceId;
  readonly external: boolean;
}

/**
 * The ID of an epoch: a hash of the group ID, the epoch number and the confirmed transcript
 * hash, which differs between two commits of the same epoch. 16 bytes: it only tells branches
 * apart, the MLS keys protect the content.
 */
export function epochIdOf(state: ClientState): Uint8Array {
  return epochIdOfContext(state.groupContext);
}

/** `epochIdOf` from a GroupContext alone (a GroupInfo carries one). */
export function epochIdOfContext(context: GroupContext): Uint8Array {
  const epoch = new Uint8Array(8);
  new DataView(epoch.buffer).setBigUint64(0, context.epoch);
  return labeledHash(
    'kith/epoch-id/v1',
    context.groupId,
    epoch,
    context.confirmedTranscriptHash,
  ).subarray(0, EPOCH_ID_LENGTH);
}

/**
 * The last tie-break between two branches of equal authority (group/fork-choice.ts): the lower
 * rank wins. A committer can grind it, so it only ever decides between equals.
 */
export function commitRank(commit: Uint8Array): Uint8Array {
  return labeledHash('kith/commit-rank/v1', commit);
}

/** What kind of MLS message the authenticated data travels with. */
export type FrameKind = 'application' | 'proposal' | 'commit';
const KINDS: readonly FrameKind[] = ['application', 'proposal', 'commit'];

/**
 * Kith's MLS authenticated data: [1, kind, epochId]. It names the epoch (on its branch) the
 * message belongs to, so a receiver knows, before trying to decrypt, whether the message is
 * for its chain, for a branch it abandoned, or for one it has not seen yet.
 */
export function encodeAad(kind: FrameKind, epochId: Uint8Array): Uint8Array {
  return encodeCbor([1, KINDS.indexOf(kind), epochId]);
}

export function decodeAad(aad: Uint8Array): { kind: FrameKind; epochId: Uint8Array } | undefined {
  try {
    const v = decodeCbor(aad, { maxDepth: 2 });
    if (!Array.isArray(v) || v.length !== 3 || v[0] !== 1) return undefined;
    const kind = typeof v[1] === 'number' ? KINDS[v[1]] : undefined;
    const id: unknown = v[2];
    if (kind === undefined || !(id instanceof Uint8Array) || id.length !== EPOCH_ID_LENGTH) {
      return undefined;
    }
    return { kind, epochId: id };
  } catch {
    return undefined;
  }
}
