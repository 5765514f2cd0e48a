import { bytesEqual, toHex } from '../crypto/bytes.ts';
import type { CheckedCommit } from '../group/commit-policy.ts';
import { ConversationGroup, type GroupOptions } from '../group/conversation-group.ts';
import type { EpochRecord } from '../group/epoch.ts';
import { createDeviceKeyPackage } from '../group/key-package.ts';
import type { DeviceIdentity } from '../identity/identities.ts';
import type { DeviceId, RoomId } from '../ids.ts';
import type { ConversationDoc } from '../timeline/conversation-doc.ts';
import { groupInfoRefusal } from './branch-guard.ts';
import type { ControlHistory } from './control-history.ts';
import type { CurrentGroup } from './current-group.ts';
import type { Embargo } from './embargo.ts';
import type { IntentLog } from './intent-log.ts';
import type { RoomEpochs } from './room-epochs.ts';
import type { RoomStore } from './room-store.ts';
import type { RoomWire } from './room-wire.ts';
import type { SessionBatch } from './session-batch.ts';
import { groupInfoHead, isAhead, memberKeys } from './session-helpers.ts';

/** What switching chains works on; each part is owned elsewhere and only used here. */
export interface SwitchParts {
  readonly roomId: RoomId;
  readonly current: CurrentGroup;
  readonly doc: ConversationDoc;
  readonly history: ControlHistory;
  readonly store: RoomStore;
  readonly batch: SessionBatch;
  readonly intents: IntentLog;
  readonly embargo: Embargo;
  readonly wire: RoomWire;
  readonly epochs: Pick<RoomEpochs, 'advanced' | 'makeIntentsAgain' | 'catchUpOwnEpochs'>;
  readonly device: DeviceIdentity;
  readonly groupOptions: GroupOptions;
}

/**
 * What a room does when this device leaves the branch it followed: for the winner of a fork
 * (the group rolled back and applied it), or for another chain taken wholesale (a rejoin from a
 * GroupInfo, a newer Welcome). Either way, what was accepted on the abandoned branch is judged
 * again, so the device ends holding what one that only followed the new chain holds. The
 * caller resends the outbox afterwards (the embargo decides whether it may).
 */
export class ChainSwitch {
  readonly #p: SwitchParts;

  constructor(parts: SwitchParts) {
    this.#p = parts;
  }

  /**
   * The group switched to another branch of a fork: devices removed on the lost branch but
   * members on the winner are embargoed, the lost epochs are forgotten, and this device's own
   * changes on the lost branch (marked in the intent log in the same batch) are made again on
   * the winner.
   */
  async forked(
    applied: readonly { readonly record: EpochRecord; readonly change: CheckedCommit }[],
    lost: readonly EpochRecord[],
  ): Promise<void> {
    const { store, batch, embargo, epochs } = this.#p;
    const group = this.#p.current.group;
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
    for (const a of applied) epochs.advanced(a.record, a.change);
    if (first !== undefined) this.#reconsider(first.epoch);
    await batch.flush();
    await epochs.makeIntentsAgain();
    await epochs.catchUpOwnEpochs();
  }

  /**
   * Comes back into the room from a GroupInfo (docs/PROTOCOL.md §7): only when that chain is
   * ahead of this device's (so two devices never swap places), was sent and signed by members
   * of this device's chain, and undoes no removal it accepted; with an external commit that
   * replaces this device's leaf. Returns whether the device rejoined.
   */
  async rejoin(groupInfo: Uint8Array, from: DeviceId): Promise<boolean> {
    const { batch, roomId, groupOptions } = this.#p;
    const group = this.#p.current.group;
    const info = groupInfoHead(groupInfo);
    if (info === undefined || !group.active) return false;
    if (!isAhead(info, group.head)) return false;
    const refusal = groupInfoRefusal(groupInfo, from, group.members(), group.chain);
    if (refusal !== undefined) {
      batch.note({ type: 'rejected', roomId, reason: `rejoin: ${refusal}` });
      return false;
    }
    const kp = await createDeviceKeyPackage(this.#p.device, groupOptions.cs);
    const result = await ConversationGroup.rejoin(
      groupInfo,
      kp.publicPackage,
      kp.privatePackage,
      groupOptions,
    );
    if (typeof result === 'string') {
      batch.note({ type: 'rejected', roomId, reason: `rejoin: ${result}` });
      return false;
    }
    await this.replaced(result.group);
    await this.#p.wire.publish(result.commit);
    // Own changes on the abandoned chain, made again once members can place them after the
    // external commit.
    await this.#p.epochs.makeIntentsAgain();
    return true;
  }

  /**
   * Moves the room to another MLS group state of the same group (a rejoin, or a newer Welcome
   * after the commit that carried an older one lost a fork). The timeline, this device's chain
   * of updates and its outbox stay: writing them anew would fork its own chain. The new chain
   * shows only its head, so what this device knew of the old chain's epochs that the new one
   * does not confirm (who was a member) is forgotten first: it was the abandoned branch's. This
   * device's own changes there are marked in the intent log, for the caller to make again
   * (`RoomEpochs.makeIntentsAgain`) once the new chain is in place.
   */
  async replaced(group: ConversationGroup): Promise<void> {
    const { history, store, batch, doc } = this.#p;
    const old = this.#p.current.replace(group);
    const kept = group.chain;
    const lost = old.filter((r) => !kept.some((k) => bytesEqual(k.epochId, r.epochId)));
    batch.queue(this.#p.intents.undone(lost.filter((r) => r.committedByMe).map((r) => r.epochId)));
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
   * Updates accepted on an abandoned branch named its epoch numbers, which now mean the new
   * chain's: judged again, and the snapshot rewritten, so a reopen starts from the new verdicts.
   */
  #reconsider(fromEpoch: bigint): void {
    if (this.#p.doc.reconsider(fromEpoch) > 0) this.#p.batch.snapshot();
  }
}
