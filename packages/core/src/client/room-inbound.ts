import { canPreverify } from '../crypto/ed25519.ts';
import type { MemberDevice } from '../group/leaves.ts';
import type { ReceiveOutcome } from '../group/outcomes.ts';
import type { RoomId } from '../ids.ts';
import { decodeRoomPayload } from '../sync/payload.ts';
import type { ConversationDoc } from '../timeline/conversation-doc.ts';
import { preverifySignedUpdates } from '../timeline/signed-update.ts';
import type { ControlHistory } from './control-history.ts';
import type { CurrentGroup } from './current-group.ts';
import type { ChainSwitch } from './chain-switch.ts';
import type { RoomEpochs } from './room-epochs.ts';
import type { RoomStore } from './room-store.ts';
import type { SessionBatch } from './session-batch.ts';
import { authorAndSeq } from './session-helpers.ts';

/** Messages released by one inbound message (held ones whose epoch came) handled at most. */
const MAX_RELEASED = 10_000;

/** What a room's inbound handler works on; each part is owned elsewhere and only used here. */
export interface InboundParts {
  readonly roomId: RoomId;
  readonly current: CurrentGroup;
  readonly doc: ConversationDoc;
  readonly history: ControlHistory;
  readonly store: RoomStore;
  readonly batch: SessionBatch;
  readonly epochs: Pick<RoomEpochs, 'advanced' | 'commitPending'>;
  readonly switcher: Pick<ChainSwitch, 'forked'>;
  /** Resends the outbox (after a fork switch, on the winning branch). */
  readonly resend: () => Promise<void>;
  /** An ephemeral signal (typing, presence) from `sender`, as MLS authenticated it. */
  readonly signal: (sender: MemberDevice, signal: Uint8Array) => void;
}

/** What a room does with the MLS messages and signed updates that reach it. */
export class RoomInbound {
  readonly #p: InboundParts;

  constructor(parts: InboundParts) {
    this.#p = parts;
  }

  /** Handles one MLS message of this room (from the topic, or from a sync frame). */
  async receiveGroupMessage(bytes: Uint8Array): Promise<void> {
    const queue = [bytes];
    for (let i = 0; i < queue.length && i < MAX_RELEASED; i++) {
      const group = this.#p.current.group;
      await this.#handle(await group.receive(queue[i] ?? new Uint8Array()));
      queue.push(...group.takeReleased());
    }
    await this.#p.batch.flush();
  }

  /** Judges one signed update; stores it unless it was refused or already held. */
  receiveUpdate(encoded: Uint8Array): void {
    const verdict = this.#p.doc.receive(encoded);
    if (verdict.verdict === 'rejected') {
      this.#p.batch.note({
        type: 'rejected',
        roomId: this.#p.roomId,
        reason: `update ${verdict.reason}: ${verdict.detail}`,
      });
      return;
    }
    if (verdict.verdict === 'duplicate') return;
    const head = authorAndSeq(encoded);
    if (head !== undefined) this.#p.batch.storeUpdate(head.author, head.seq, encoded);
  }

  /** Acts on what the MLS group made of one inbound message of the room. */
  async #handle(outcome: ReceiveOutcome): Promise<void> {
    const { epochs, current } = this.#p;
    switch (outcome.kind) {
      case 'application':
        await this.#receivePayload(outcome.plaintext, outcome.sender);
        current.opened();
        return;
      case 'commit':
        epochs.advanced(outcome.record, outcome.change);
        await epochs.commitPending();
        return;
      case 'fork-switched':
        await this.#p.switcher.forked(outcome.applied, outcome.lost);
        await this.#p.resend();
        return;
      case 'proposal':
        current.saveHead();
        await epochs.commitPending();
        return;
      case 'rejected':
        this.#p.batch.note({
          type: 'rejected',
          roomId: this.#p.roomId,
          reason: `${outcome.reason}: ${outcome.detail}`,
        });
        return;
      case 'pending':
      case 'ignored':
        return;
    }
  }

  /**
   * An application message's payload: signed updates (with the certificates of their authors,
   * remembered to vouch for them later) go to the timeline, a signal to the signal plane.
   */
  async #receivePayload(plaintext: Uint8Array, sender: MemberDevice): Promise<void> {
    const { history, store, batch, roomId } = this.#p;
    let payload;
    try {
      payload = decodeRoomPayload(plaintext);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      batch.note({ type: 'rejected', roomId, reason: `from ${sender.deviceId}: ${reason}` });
      return;
    }
    if (payload.type === 'unknown') return;
    if (payload.type === 'signal') {
      this.#p.signal(sender, payload.signal);
      return;
    }
    for (const certificate of payload.authors) {
      const learned = history.learnCertificate(certificate);
      if (learned !== undefined) batch.queue([store.putAuthor(learned.publicKey, certificate)]);
    }
    // With an asynchronous Ed25519 (a browser's WebCrypto), the batch's signatures at once.
    if (canPreverify()) await preverifySignedUpdates(payload.updates);
    for (const encoded of payload.updates) this.receiveUpdate(encoded);
  }
}
