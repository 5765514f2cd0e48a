import type { UserId } from '../ids.ts';

/**
 * Where a device's timeline was cut by a commit that removed it or changed its user's role
 * (room/cuts.ts has the rules): updates below `seq` are its last under the old authority.
 */
export interface TimelineCut {
  readonly seq: number;
  /** Hash of the device's update `seq - 1` (zeros when `seq` is 0). */
  readonly head: Uint8Array;
  /** The epoch the cutting commit starts. */
  readonly epoch: bigint;
  readonly removed: boolean;
  /** Whether the device's user could retract others' messages before the cut. */
  readonly retractAny: boolean;
}

/** What the reducer asks the control plane before honouring an entry. */
export type TimelineAction = 'send' | 'react' | 'editOwn' | 'retractOwn' | 'retractAny';

/**
 * The little the data plane needs from the MLS control plane. Answers must depend only on the
 * (finalised) group state, never on when they are asked: every member must reach the same
 * verdict on the same update.
 */
export interface ControlPlaneView {
  /** Whether the device was a member of the group in `epoch`. */
  isMember(devicePublicKey: Uint8Array, epoch: bigint): boolean;
  /** The user a device belongs to (from its certificate); undefined for an unknown device. */
  userOf(devicePublicKey: Uint8Array): UserId | undefined;
  /** Whether the user's role in `epoch` allows `action`. */
  can(userId: UserId, action: TimelineAction, epoch: bigint): boolean;
  /** The epoch the local device writes in now. */
  currentEpoch(): bigint;
  /**
   * False while the local control plane has not reached `epoch`: updates naming it wait
   * (verdict `pending`) instead of being judged on missing state. Absent means always true.
   */
  knowsEpoch?(epoch: bigint): boolean;
  /**
   * The cuts of a device's timeline (public key in lowercase hex), sorted by seq. They only
   * grow; after they change the document must be told (`ConversationDoc.applyCuts`).
   */
  cutsOf?(deviceHex: string): readonly TimelineCut[];
  /** The room's disappearing time in `epoch` (ms after sending); undefined for none. */
  disappearAfterMs?(epoch: bigint): number | undefined;
}
