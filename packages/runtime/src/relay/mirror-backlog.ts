/** A batch of messages a relay did not acknowledge, for one topic. */
export interface Unacknowledged {
  readonly topic: string;
  readonly data: readonly Uint8Array[];
}

/** What one relay may owe this device before the oldest is given up (the engine still syncs). */
const MAX_BYTES_PER_RELAY = 16 * 1024 * 1024;

/**
 * Copies of published messages that a relay did not acknowledge (it was down, restarting, or
 * the connection broke mid-request), per relay, oldest first, to put again once the relay is
 * back. A relay stores a message it already has once, so putting one it did keep is harmless.
 * Bounded per relay: past the bound the oldest go (members still get them by sync).
 */
export class MirrorBacklog {
  readonly #byRelay = new Map<string, { entries: Unacknowledged[]; bytes: number }>();

  keep(relay: string, batch: Unacknowledged): void {
    const owed = this.#byRelay.get(relay) ?? { entries: [], bytes: 0 };
    owed.entries.push(batch);
    owed.bytes += size(batch);
    while (owed.bytes > MAX_BYTES_PER_RELAY && owed.entries.length > 1) {
      const oldest = owed.entries.shift();
      if (oldest !== undefined) owed.bytes -= size(oldest);
    }
    this.#byRelay.set(relay, owed);
  }

  /** Takes everything owed by `relay` (give back what still fails with `giveBack`). */
  take(relay: string): Unacknowledged[] {
    const owed = this.#byRelay.get(relay);
    this.#byRelay.delete(relay);
    return owed?.entries ?? [];
  }

  /** Puts batches back in front of anything kept meanwhile, in their order. */
  giveBack(relay: string, batches: readonly Unacknowledged[]): void {
    const later = this.take(relay);
    for (const b of [...batches, ...later]) this.keep(relay, b);
  }

  owes(relay: string): boolean {
    return this.#byRelay.has(relay);
  }

  /** How many batches `relay` has not acknowledged yet. */
  count(relay: string): number {
    return this.#byRelay.get(relay)?.entries.length ?? 0;
  }
}

function size(batch: Unacknowledged): number {
  return batch.data.reduce((n, d) => n + d.length, 0);
}
