import type { Proposal } from 'ts-mls';
import { toHex } from '../crypto/bytes.ts';
import type { CheckedCommit } from '../group/commit-policy.ts';
import type { ConversationGroup, GroupOptions } from '../group/conversation-group.ts';
import type { EpochRecord } from '../group/epoch.ts';
import { deviceOfKeyPackage } from '../group/leaves.ts';
import { ownGeneration, rotationPoint } from '../group/ratchet-wear.ts';
import type { RoomId, UserId } from '../ids.ts';
import { Roles } from '../room/roles.ts';
import { withParticipant } from '../room/room-state.ts';
import { encodeDirectFrame } from '../sync/frames.ts';
import type { ConversationDoc } from '../timeline/conversation-doc.ts';
import type { ControlHistory } from './control-history.ts';
import type { CurrentGroup } from './current-group.ts';
import type { Embargo } from './embargo.ts';
import { ClientError } from './errors.ts';
import type { Intent } from './intent.ts';
import type { IntentLog } from './intent-log.ts';
import type { PendingWelcomes } from './peer-state.ts';
import type { RoomStore } from './room-store.ts';
import type { RoomWire } from './room-wire.ts';
import type { SessionBatch } from './session-batch.ts';
import { remaining, roomChangedBeyondMembers } from './session-helpers.ts';

/** What a room's epoch steps work on; each part is owned elsewhere and only used here. */
export interface EpochParts {
  readonly roomId: RoomId;
  readonly current: CurrentGroup;
  readonly doc: ConversationDoc;
  readonly history: ControlHistory;
  readonly store: RoomStore;
  readonly batch: SessionBatch;
  readonly intents: IntentLog;
  readonly embargo: Embargo;
  readonly welcomes: PendingWelcomes;
  readonly wire: RoomWire;
  readonly options: Pick<GroupOptions, 'retainEpochs' | 'rotateAfterMessages'>;
}

type Committed = Extract<Awaited<ReturnType<ConversationGroup['commit']>>, { ok: true }>;

/**
 * What a room does when its MLS group moves on to a new epoch: by a commit (its own change, or
 * a member's), by proposals it commits for others, by a rotation before its own ratchet wears
 * out, or to make again what a switch of branch undid (chain-switch.ts). Each stores the new
 * epoch and queues the events it makes in the session's batch; a flush writes and emits them.
 */
export class RoomEpochs {
  readonly #p: EpochParts;

  constructor(parts: EpochParts) {
    this.#p = parts;
  }

  get #group(): ConversationGroup {
    return this.#p.current.group;
  }

  /**
   * Commits a control-plane change, remembered to make again should its epoch lose a fork, and
   * hands the Welcome to each device it adds; a refusal throws a ClientError and changes nothing.
   */
  async commit(intent: Intent): Promise<void> {
    const group = this.#group;
    if (!group.active) throw new ClientError('NOT_IN_ROOM', 'this device is no longer in the room');
    const room = intent.room(group.room);
    const proposals: Proposal[] = intent.adds.map((kp) => ({
      proposalType: 'add',
      add: { keyPackage: kp },
    }));
    // A user's devices all go; a single device (revoked) goes while its user stays.
    for (const m of group.members()) {
      if (intent.removeUsers.includes(m.userId) || intent.removeDevices.includes(m.deviceId))
        proposals.push({ proposalType: 'remove', remove: { removed: m.leafIndex } });
    }
    if (proposals.length === 0 && room === undefined) return;
    const result = await group.commit(proposals, room, this.#p.doc.stateVector());
    if (!result.ok) throw new ClientError(result.refusal.code, result.refusal.message);
    this.#p.batch.queue(this.#p.intents.committed(result.record.epochId, intent));
    await this.#publishCommit(result);
    if (result.welcome !== undefined) {
      const frame = encodeDirectFrame({ type: 'welcome', welcome: result.welcome });
      for (const kp of intent.adds) {
        const device = deviceOfKeyPackage(kp);
        if (device === undefined) continue;
        this.#p.welcomes.owe(device.deviceId, frame);
        await this.#p.wire.sendTo(device.deviceId, frame);
      }
    }
  }

  /** Records a new epoch: stores it, drops the one now beyond retention, and queues its events. */
  advanced(record: EpochRecord, change: CheckedCommit): void {
    const { history, store, batch, doc, roomId } = this.#p;
    const group = this.#group;
    const wasRoom = history.roomAt(history.currentEpoch());
    history.record([record]);
    batch.queue([store.putEpoch(record), store.putHistory(record)]);
    // Remember every device ever seen, to vouch for its history to later members.
    batch.queue(change.added.map((d) => store.putAuthor(d.publicKey, d.certificate)));
    const oldest = group.chain[0]?.epoch;
    if (oldest !== undefined && oldest > 0n) batch.queue([store.delEpoch(oldest - 1n)]);
    batch.queue(this.#p.intents.prune(group.chain));
    doc.applyCuts();
    doc.retryPending();
    this.#p.embargo.keepOnly(group.members().map((m) => toHex(m.publicKey)));
    const added = [...new Set(change.added.map((d) => d.userId))].filter(
      (u) =>
        wasRoom === undefined ||
        !wasRoom.participants.has(u) ||
        (wasRoom.participants.get(u) ?? 0) < Roles.member,
    );
    const removed = [...new Set(change.removed.map((d) => d.userId))].filter(
      (u) => (change.room.participants.get(u) ?? 0) < Roles.member,
    );
    if (added.length > 0 || removed.length > 0) {
      // Who left of their own accord, and who committed the change (the remover otherwise).
      const left = removed.filter((u) => change.leavers.has(u));
      const by = record.committer?.user;
      batch.note({ type: 'membership', roomId, added, removed, left, by, room: change.room });
    }
    if (wasRoom !== undefined && roomChangedBeyondMembers(wasRoom, change.room)) {
      batch.note({ type: 'room', roomId, room: change.room });
    }
    if (!group.active) batch.note({ type: 'left', roomId });
  }

  /** Makes again, on the chain followed now, each change of this device a fork undid. */
  async makeIntentsAgain(): Promise<void> {
    const { intents, batch, roomId } = this.#p;
    const undone = intents.toMakeAgain();
    if (undone.length === 0) return;
    for (const { seq, intent } of undone) {
      batch.queue(intents.settled(seq));
      try {
        await this.commit(remaining(intent, this.#group.room, this.#group.members()));
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        batch.note({
          type: 'rejected',
          roomId,
          reason: `re-applying a change after a fork: ${reason}`,
        });
      }
    }
    await batch.flush();
  }

  /**
   * What this device wrote on the lost branch names that branch's epoch numbers, and members
   * hold an update until their chain reaches the number it names (they cannot judge it before).
   * When the winner is shorter and nothing else moves it on, those updates would wait for ever;
   * so the chain is taken there with empty commits (at most as many as a fork can reach back).
   */
  async catchUpOwnEpochs(): Promise<void> {
    const target = this.#p.doc.highestOwnEpoch;
    const limit = this.#p.options.retainEpochs ?? 16;
    for (let i = 0; i < limit && target !== undefined && this.#group.active; i++) {
      if (this.#group.head.epoch >= target) return;
      const result = await this.#group.commit([], undefined);
      if (!result.ok) return;
      await this.#publishCommit(result);
    }
  }

  /**
   * Commits proposals waiting in this epoch (members leaving) when this device is the
   * designated committer: the remaining member with the lowest leaf index. Others commit
   * them from `tick` if the designated one stays silent (`force`).
   */
  async commitPending(force = false): Promise<void> {
    const group = this.#group;
    const pending = group.pendingProposals();
    if (pending.length === 0 || !group.active) return;
    const leaving = new Set<UserId>();
    const byLeaf = new Map(group.members().map((m) => [m.leafIndex, m]));
    for (const p of pending) {
      if (p.proposal.proposalType !== 'remove') continue;
      const sender = p.senderLeafIndex === undefined ? undefined : byLeaf.get(p.senderLeafIndex);
      const target = byLeaf.get(p.proposal.remove.removed);
      if (target !== undefined && sender?.userId === target.userId) leaving.add(target.userId);
    }
    const staying = group.members().filter((m) => !leaving.has(m.userId));
    const self = group.self();
    if (!force && staying[0]?.leafIndex !== self?.leafIndex) return;
    let room = group.room;
    for (const user of leaving) room = withParticipant(room, user, Roles.none);
    const result = await group.commit(
      [],
      room === group.room ? undefined : room,
      this.#p.doc.stateVector(),
    );
    if (result.ok) await this.#publishCommit(result);
  }

  /**
   * Starts a new epoch (an empty commit, which refreshes this device's path) once this device
   * has sent so many messages in the current one that a member who missed them all could no
   * longer open the next (see group/ratchet-wear.ts).
   */
  async rotateIfWorn(): Promise<void> {
    const state = this.#group.head.state;
    if (ownGeneration(state) < rotationPoint(state, this.#p.options.rotateAfterMessages)) return;
    const result = await this.#group.commit([], undefined, this.#p.doc.stateVector());
    if (result.ok) await this.#publishCommit(result);
  }

  /** A commit of this device: its epoch recorded and stored before the commit leaves. */
  async #publishCommit(result: Committed): Promise<void> {
    this.advanced(result.record, result.change);
    await this.#p.batch.flush();
    await this.#p.wire.publish(result.commit);
  }
}
