import { fromHex, toHex } from '../crypto/bytes.ts';

/**
 * Messages that name an epoch this device has not reached yet (or a branch it has not seen),
 * held until the epoch arrives. Bounded: the oldest are dropped first, since sync will bring
 * their content again.
 */
export class PendingMessages {
  readonly #byEpoch = new Map<string, Uint8Array[]>();
  readonly #limit: number;
  #size = 0;

  constructor(limit: number) {
    this.#limit = limit;
  }

  get size(): number {
    return this.#size;
  }

  add(epochId: Uint8Array, message: Uint8Array): void {
    const key = toHex(epochId);
    const list = this.#byEpoch.get(key) ?? [];
    list.push(message);
    this.#byEpoch.set(key, list);
    this.#size++;
    while (this.#size > this.#limit) this.#dropOldest();
  }

  /** Removes and returns the messages held for `epochId`. */
  take(epochId: Uint8Array): Uint8Array[] {
    const key = toHex(epochId);
    const list = this.#byEpoch.get(key) ?? [];
    this.#byEpoch.delete(key);
    this.#size -= list.length;
    return list;
  }

  /** Removes and returns the messages held for every epoch `known` says is now held. */
  takeKnown(known: (epochId: Uint8Array) => boolean): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const key of [...this.#byEpoch.keys()]) {
      const id = fromHex(key);
      if (id !== undefined && known(id)) out.push(...this.take(id));
    }
    return out;
  }

  #dropOldest(): void {
    const first = this.#byEpoch.entries().next();
    if (first.done === true) return;
    const [key, list] = first.value;
    list.shift();
    this.#size--;
    if (list.length === 0) this.#byEpoch.delete(key);
  }
}
