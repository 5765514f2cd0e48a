import type { KvOperation } from '../storage/store.ts';
import type { RoomStore } from './room-store.ts';

/** The first wait between resends of unconfirmed updates, and the longest. */
const RESEND_FIRST_MS = 4_000;
const RESEND_MAX_MS = 5 * 60_000;

/**
 * This device's own updates in a room that no other member is known to hold (by seq), and when
 * they may be published again: each resend doubles the wait (from 4 s up to 5 min), since each
 * is new ciphertext for every member and every relay mailbox; a confirmation starts it over.
 * Changes come back as storage operations, for the caller's batch.
 */
export class Outbox {
  readonly #store: RoomStore;
  readonly #seqs = new Set<number>();
  #at = 0;
  #waitMs = 0;

  constructor(store: RoomStore) {
    this.#store = store;
  }

  get size(): number {
    return this.#seqs.size;
  }

  /** Whether own update `seq` is still unconfirmed. */
  has(seq: number): boolean {
    return this.#seqs.has(seq);
  }

  /** Entries read back from storage on reopening. */
  restore(seqs: readonly number[]): void {
    for (const seq of seqs) this.#seqs.add(seq);
  }

  add(seq: number): KvOperation[] {
    this.#seqs.add(seq);
    return [this.#store.putOutbox(seq)];
  }

  /** Own updates up to `seq` are held by another member. */
  acknowledge(seq: number): KvOperation[] {
    const ops: KvOperation[] = [];
    for (const s of [...this.#seqs]) {
      if (s > seq) continue;
      this.#seqs.delete(s);
      ops.push(this.#store.delOutbox(s));
      this.#at = 0;
      this.#waitMs = 0;
    }
    return ops;
  }

  /**
   * The unconfirmed seqs, ascending, if a resend is due at `now` (the next wait then starts);
   * undefined if none is.
   */
  due(now: number): number[] | undefined {
    if (this.#seqs.size === 0 || now < this.#at) return undefined;
    this.#waitMs = Math.min(RESEND_MAX_MS, Math.max(RESEND_FIRST_MS, this.#waitMs * 2));
    this.#at = now + this.#waitMs;
    return [...this.#seqs].sort((a, b) => a - b);
  }
}
