import type { ConversationGroup } from '../group/conversation-group.ts';
import type { EpochRecord } from '../group/epoch.ts';
import type { RoomStore } from './room-store.ts';
import type { SessionBatch } from './session-batch.ts';

/** Messages opened before the head epoch's state is stored again (see `opened`). */
const SAVE_EVERY_OPENED = 64;

/**
 * The MLS group a room follows now, and when its head epoch's state (its ratchets) is stored:
 * before anything this device encrypted leaves, and every so often while it only opens. The
 * group is replaced here only (a rejoin, a newer Welcome), so every part of the session sees
 * the same one.
 */
export class CurrentGroup {
  readonly #store: RoomStore;
  readonly #batch: SessionBatch;
  #group: ConversationGroup;
  /** Messages opened since the head epoch's state was last stored. */
  #unsaved = 0;

  constructor(group: ConversationGroup, store: RoomStore, batch: SessionBatch) {
    this.#group = group;
    this.#store = store;
    this.#batch = batch;
  }

  get group(): ConversationGroup {
    return this.#group;
  }

  /** Encrypts an application message; the ratchet it moved is stored in the same batch. */
  async encrypt(plaintext: Uint8Array): Promise<Uint8Array> {
    const message = await this.#group.encrypt(plaintext);
    this.saveHead();
    return message;
  }

  /** Queues storing the head epoch's state (its ratchets moved). */
  saveHead(): void {
    this.#unsaved = 0;
    this.#batch.queue([this.#store.putEpoch(this.#group.head)]);
  }

  /**
   * Counts a message opened. Opening moves only the sender's receive ratchet, which an older
   * stored state can move again after a crash (the messages come again by sync and are
   * deduplicated). Storing the whole group state after every message was a tenth of a
   * delivery's cost, so it is stored every 64 messages, and before any send or close.
   */
  opened(): void {
    if (++this.#unsaved >= SAVE_EVERY_OPENED) this.saveHead();
  }

  /** Stores the head epoch's state if messages were opened since it was last stored. */
  saveRatchets(): void {
    if (this.#unsaved > 0) this.saveHead();
  }

  /**
   * Follows another state of the same group from now on; the old chain's stored epochs are
   * deleted in the same batch (the new head is stored by the caller with its history). Returns
   * the old chain.
   */
  replace(group: ConversationGroup): readonly EpochRecord[] {
    const old = this.#group.chain;
    this.#batch.queue(old.map((r) => this.#store.delEpoch(r.epoch)));
    this.#group = group;
    this.#unsaved = 0;
    return old;
  }
}
