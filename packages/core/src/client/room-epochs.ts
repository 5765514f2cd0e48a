import type { Proposal } from 'ts-mls';
import { bytesEqual, toHex } from '../crypto/bytes.ts';
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
import { memberKeys, remaining, roomChangedBeyondMembers } from './session-helpers.ts';

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
 * What a room does when its MLS group moves to a new epoch: by a commit (its own change, or a
 * member's), by a fork resolved in favour of another branch, by a wholesale switch to another
 * chain (rejoin, newer Welcome), by proposals it commits for others, or by a rotation before
 * its own ratchet wears out. Each stores the new epoch and queues the events it makes in the
 * session's batch; a flush writes and emits them.
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
    for (const user of intent.removeUsers) {
      for (const m of group.members()) {
        if (m.userId === user)
          proposals.push({ proposalType: 'remove', remove: { removed: m.leafIndex } });
      }
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
      batch.note({ type: 'membership', roomId, added, removed, room: change.room });
    }
    if (wasRoom !== undefined && roomChangedBeyondMembers(wasRoom, change.room)) {
      batch.note({ type: 'room', roomId, room: change.room });
    }
    if (!group.active) batch.note({ type: 'left', roomId });
  }

  /**
   * The group switched to another branch of a fork: devices removed on the lost branch but
   * members on the winner are embargoed, the lost epochs are forgotten, and this device's own
   * changes on the lost branch (marked in the intent log in the same batch) are made again on
   * the winner. The caller then resends the outbox (the embargo decides whether it may).
   */
  async forked(
    applied: readonly { readonly record: EpochRecord; readonly change: CheckedCommit }[],
    lost: readonly EpochRecord[],
  ): Promise<void> {
    const { store, batch, embargo } = this.#p;
    const group = this.#group;
    const chain = group.chain;
    const first = applied[0]?.record;
    const fork = first === undefined ? undefined : chain[chain.indexOf(first) - 1];
    const last = lost.at(-1);
    if (fork !== undefined && last !== undefined) {
      embargo.afterSwitch(
        memberKeys(fork),
        memberKeys(last),
        group.members().map((m) => toHex(m.publicKey)),
      );
    }
    batch.queue(this.#p.intents.undone(lost.filter((r) => r.committedByMe).map((r) => r.epochId)));
    // The abandoned branch's epochs beyond the winner's head must not come back on reopening;
    // the winner may also push more than one epoch out of retention.
    const head = group.head;
    for (const r of lost) {
      if (r.epoch > head.epoch) batch.queue([store.delEpoch(r.epoch), store.delHistory(r.epoch)]);
    }
    const oldest = chain[0]?.epoch ?? 0n;
    for (let i = 2n; i <= BigInt(applied.length) && oldest >= i; i++) {
      batch.queue([store.delEpoch(oldest - i)]);
    }
    for (const a of applied) this.advanced(a.record, a.change);
    if (first !== undefined) this.#reconsider(first.epoch);
    await batch.flush();
    await this.makeIntentsAgain();
    await this.#catchUpOwnEpochs();
  }

  /**
   * Moves the room to another MLS group state of the same group (a rejoin, or a newer Welcome
   * after the commit that carried an older one lost a fork). The timeline, this device's chain
   * of updates and its outbox stay: writing them anew would fork its own chain. As after a
   * fork switch, what was accepted on the abandoned chain is judged again; but the new chain
   * shows only its head, so what this device knew of the old chain's epochs that the new one
   * does not confirm (who was a member) is forgotten first: it was the abandoned branch's.
   */
  async replaced(group: ConversationGroup): Promise<void> {
    const { history, store, batch, doc } = this.#p;
    const old = this.#p.current.replace(group);
    const kept = group.chain;
    const lost = old.filter((r) => !kept.some((k) => bytesEqual(k.epochId, r.epochId)));
    const forgotten = lost.map((r) => r.epoch).filter((e) => !kept.some((k) => k.epoch === e));
    history.forget(forgotten);
    batch.queue(forgotten.map((e) => store.delHistory(e)));
    history.record(kept);
    const head = group.head;
    batch.queue([store.putEpoch(head), store.putHistory(head)]);
    batch.queue(group.members().map((d) => store.putAuthor(d.publicKey, d.certificate)));
    doc.applyCuts();
    doc.retryPending();
    const from = lost[0]?.epoch;
    if (from !== undefined) this.#reconsider(from);
    await batch.flush();
  }

  /**
   * Updates accepted on an abandoned branch named its epoch numbers, which now mean the
   * winner's: judged again, and the snapshot rewritten, so a reopen starts from the new verdicts.
   */
  #reconsider(fromEpoch: bigint): void {
    if (this.#p.doc.reconsider(fromEpoch) > 0) this.#p.batch.snapshot();
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
  async #catchUpOwnEpochs(): Promise<void> {
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
