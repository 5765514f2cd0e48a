import type { MessageId } from '../content/message-id.ts';
import { toHex } from '../crypto/bytes.ts';
import type { DeviceId, UserId } from '../ids.ts';
import type { RoomReceipts } from '../signals/receipts.ts';
import type { RoomSession } from './room-session.ts';

/** Own updates whose relay copy is remembered after a member confirmed them. */
const MAX_STORED = 10_000;

/**
 * How far one of this device's own messages has got, each state past the one before:
 * `sending` (written, not yet handed to the network), `sent` (published; nobody confirmed),
 * `stored` (a relay of the room acknowledged keeping it), `delivered` (a member device of
 * another user holds it), `read` (another user read it).
 */
export type DeliveryState = 'sending' | 'sent' | 'stored' | 'delivered' | 'read';

/** The delivery state of one own message, with the counts behind it. */
export interface DeliveryStatus {
  readonly messageId: MessageId;
  readonly state: DeliveryState;
  /** Member devices of other users that hold it (those that read it included). */
  readonly delivered: number;
  /** Member devices of other users in the room now: `delivered` of `devices`. */
  readonly devices: number;
  /** Other users who read it. */
  readonly readBy: readonly UserId[];
}

/**
 * What this device knows, for one room, of its own updates on the way out: which were
 * published and which a relay acknowledged keeping (by seq). Kept in memory only: after a
 * restart what is still in the outbox counts as sending until it is published again (the
 * first tick does), and a relay acknowledges the copy that goes with it.
 */
export class DeliveryLog {
  readonly #published = new Set<number>();
  readonly #stored = new Set<number>();

  /** Notes seqs published; true if that changed anything. */
  published(seqs: readonly number[]): boolean {
    return addAll(this.#published, seqs);
  }

  /** Notes seqs a relay acknowledged; true if that changed anything. */
  stored(seqs: readonly number[]): boolean {
    // A relay's copy went from this device, so it was published too.
    const published = addAll(this.#published, seqs);
    return addAll(this.#stored, seqs) || published;
  }

  wasPublished(seq: number): boolean {
    return this.#published.has(seq);
  }

  wasStored(seq: number): boolean {
    return this.#stored.has(seq);
  }

  /**
   * Drops published seqs the outbox no longer holds (a member confirmed them), and all but
   * the newest stored ones, to stay bounded.
   */
  prune(inOutbox: (seq: number) => boolean): void {
    for (const seq of this.#published) if (!inOutbox(seq)) this.#published.delete(seq);
    for (const seq of this.#stored) {
      if (this.#stored.size <= MAX_STORED) break;
      this.#stored.delete(seq); // the oldest first: a Set keeps insertion order
    }
  }
}

function addAll(set: Set<number>, seqs: readonly number[]): boolean {
  const before = set.size;
  for (const s of seqs) set.add(s);
  return set.size !== before;
}

/**
 * The delivery states of this device's own messages in one room. Members count only for
 * themselves: a device holds a message if its own delivery or read marker covers it (the
 * room's rules let a device write only its own markers) or if its last sync hello named this
 * device's update at or after the message's by its hash; a user has read it if a device of
 * theirs says so. Only devices of other users that are members now are counted.
 */
export class RoomMessageStatus {
  readonly #session: RoomSession;
  readonly #receipts: RoomReceipts;
  readonly #self: DeviceId;
  readonly #others: readonly { device: DeviceId; user: UserId; held: number }[];
  /** Own message IDs (hex) to the seq of the update that wrote them, read once when needed. */
  #seqs: Map<string, number> | undefined;

  constructor(
    session: RoomSession,
    receipts: RoomReceipts,
    self: { device: DeviceId; user: UserId; keyHex: string },
  ) {
    this.#session = session;
    this.#receipts = receipts;
    this.#self = self.device;
    this.#others = session
      .members()
      .filter((m) => m.userId !== self.user)
      .map((m) => ({
        device: m.deviceId,
        user: m.userId,
        held: session.doc.ownHeldUpTo(session.peers.get(m.deviceId)?.heads.get(self.keyHex)),
      }));
  }

  /** The status of one of this device's own messages; undefined for anyone else's. */
  of(message: { messageId: MessageId; senderDevice: DeviceId }): DeliveryStatus | undefined {
    if (message.senderDevice !== this.#self) return undefined;
    this.#seqs ??= this.#session.doc.ownMessageSeqs();
    const seq = this.#seqs.get(toHex(message.messageId));
    const receipts = this.#receipts.of(message.messageId);
    const marked = new Map((receipts?.devices ?? []).map((d) => [d.device, d.status]));
    let delivered = 0;
    const readBy = new Set<UserId>();
    for (const o of this.#others) {
      const status = marked.get(o.device);
      if (status === 'read') readBy.add(o.user);
      if (status !== undefined || (seq !== undefined && o.held >= seq)) delivered++;
    }
    const base = { messageId: message.messageId, delivered, devices: this.#others.length };
    if (readBy.size > 0) return { ...base, state: 'read', readBy: [...readBy] };
    if (delivered > 0) return { ...base, state: 'delivered', readBy: [] };
    return { ...base, state: this.#early(seq), readBy: [] };
  }

  #early(seq: number | undefined): DeliveryState {
    const s = this.#session;
    if (seq === undefined) return 'sent';
    if (s.delivery.wasStored(seq)) return 'stored';
    // Not in the outbox: a member confirmed it, though not one counted above (yet).
    if (!s.outbox.has(seq)) return 'sent';
    return s.delivery.wasPublished(seq) ? 'sent' : 'sending';
  }
}
