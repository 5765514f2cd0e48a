import type { ClockPort } from '../ports/clock.ts';
import { encodeAppPayload, encodeSignalPayload } from '../sync/payload.ts';
import type { ConversationDoc } from '../timeline/conversation-doc.ts';
import type { SignedUpdate } from '../timeline/signed-update.ts';
import type { ControlHistory } from './control-history.ts';
import type { CurrentGroup } from './current-group.ts';
import type { Embargo } from './embargo.ts';
import type { DeliveryLog } from './message-status.ts';
import type { Outbox } from './outbox.ts';
import type { RoomStore } from './room-store.ts';
import type { RoomWire } from './room-wire.ts';
import type { SessionBatch } from './session-batch.ts';
import { batches } from './session-helpers.ts';

/** What a room's sender works on; each part is owned elsewhere and only used here. */
export interface SenderParts {
  readonly current: CurrentGroup;
  readonly doc: ConversationDoc;
  readonly history: ControlHistory;
  readonly store: RoomStore;
  readonly batch: SessionBatch;
  readonly outbox: Outbox;
  readonly embargo: Embargo;
  readonly delivery: DeliveryLog;
  readonly wire: RoomWire;
  /** Starts a new epoch before this device's sending ratchet wears out (see RoomEpochs). */
  readonly rotation: { rotateIfWorn(): Promise<void> };
  readonly clock: ClockPort;
  /** The delivery state of own updates moved (a `messageStatus` event, emitted at once). */
  readonly statusMoved: () => void;
}

/**
 * How a room sends MLS application messages: its own signed updates as it writes them (kept in
 * the outbox until a member confirms them), again from the outbox, anyone's in sync answers,
 * and signals. The ratchet state each encryption moved is stored before the message goes.
 */
export class RoomSender {
  readonly #p: SenderParts;

  constructor(parts: SenderParts) {
    this.#p = parts;
  }

  /** Stores, encrypts and publishes an update this device just wrote. */
  async publishOwn(signed: SignedUpdate): Promise<void> {
    const { doc, store, batch, outbox } = this.#p;
    const encoded = doc.encodedOwnUpdates(signed.seq)[0];
    if (encoded === undefined) throw new Error('the update just written is missing');
    batch.queue([store.putUpdate(signed.author, signed.seq, encoded), ...outbox.add(signed.seq)]);
    await this.#p.rotation.rotateIfWorn();
    const message = await this.#p.current.encrypt(
      encodeAppPayload({ type: 'updates', updates: [encoded], authors: [] }),
    );
    await batch.flush();
    await this.#publishTracked(message, [signed.seq]);
  }

  /**
   * Publishes own updates no member has confirmed, unless an embargo holds them back, backing
   * off while nobody confirms: each resend is new ciphertext for everyone (and for the relays'
   * mailboxes), and members who come back get what they lack by sync anyway.
   */
  async resendUnconfirmed(): Promise<void> {
    const { current, doc, history, embargo } = this.#p;
    if (embargo.active || !current.group.active) return;
    const due = this.#p.outbox.due(this.#p.clock.now());
    if (due === undefined) return;
    const unconfirmed = new Set(due);
    const first = due[0] ?? 0;
    // A resend reaches today's members: content written while history was kept from later
    // members goes without its bodies if one of them is such a member (the others get the
    // bodies in sync answers, which are per device).
    const users = new Set(current.group.members().map((m) => m.userId));
    const shareBodies = (epoch: bigint): boolean =>
      [...users].every((u) => history.mayShare(u, epoch));
    const seqOf = new Map<Uint8Array, number>();
    const updates = doc.encodedOwnUpdates(first, shareBodies).filter((u, i) => {
      seqOf.set(u, first + i);
      return unconfirmed.has(first + i);
    });
    for (const batch of batches(updates)) {
      await this.#p.rotation.rotateIfWorn();
      const message = await current.encrypt(
        encodeAppPayload({ type: 'updates', updates: batch, authors: [] }),
      );
      await this.#p.batch.flush();
      await this.#publishTracked(
        message,
        batch.map((u) => seqOf.get(u) ?? -1),
      );
    }
  }

  /** Own updates up to `seq` are held by another member. */
  acknowledge(seq: number): void {
    const { outbox, delivery } = this.#p;
    this.#p.batch.queue(outbox.acknowledge(seq));
    delivery.prune((s) => outbox.has(s));
  }

  /** Encrypts a batch of updates for a sync answer (an MLS message of the current epoch). */
  async seal(updates: readonly Uint8Array[]): Promise<Uint8Array[]> {
    const out: Uint8Array[] = [];
    for (const batch of batches(updates)) {
      await this.#p.rotation.rotateIfWorn();
      const authors = this.#p.history.certificatesOf(batch);
      out.push(
        await this.#p.current.encrypt(
          encodeAppPayload({ type: 'updates', updates: batch, authors }),
        ),
      );
    }
    return out;
  }

  /**
   * Sends a signal of the ephemeral plane: an MLS message like any other (the ratchet state
   * it moved is stored first), but nothing of it is kept, and relays are not asked to keep it.
   */
  async signal(signal: Uint8Array): Promise<void> {
    await this.#p.rotation.rotateIfWorn();
    const message = await this.#p.current.encrypt(encodeSignalPayload(signal));
    await this.#p.batch.flush();
    await this.#p.wire.publish(message, { ephemeral: true });
  }

  /**
   * Publishes a message carrying own updates `seqs`: their delivery states move (a
   * `messageStatus` event) once the transport took it, and again once a relay says it keeps
   * a copy. One the transport refused is left for the outbox's next resend.
   */
  async #publishTracked(message: Uint8Array, seqs: readonly number[]): Promise<void> {
    const { delivery, statusMoved } = this.#p;
    const onStored = (): void => {
      if (delivery.stored(seqs)) statusMoved();
    };
    if (!(await this.#p.wire.publish(message, { onStored }))) return;
    if (delivery.published(seqs)) statusMoved();
  }
}
