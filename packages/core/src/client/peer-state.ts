import { bytesEqual } from '../crypto/bytes.ts';
import type { DeviceId } from '../ids.ts';
import type { ChainHead } from '../timeline/sync.ts';

/** What a peer's hello showed it has, to tell whether this device is complete. */
export interface PeerPosition {
  readonly latestEpochId: Uint8Array | undefined;
  readonly heads: ReadonlyMap<string, ChainHead>;
}

/** A peer's last position, and the heads of its last hello of its own. */
export interface HeardPosition extends PeerPosition {
  /**
   * The heads of its last hello of its own (not a reply): a peer says hello on each tick and
   * answers ours at once, so comparing with its previous hello of any kind would often compare
   * two moments a few milliseconds apart (see room-sync's `stalledOnly`).
   */
  readonly tickHeads: ReadonlyMap<string, ChainHead>;
}

/** Where each member device of a room stood at its last hello (for the sync status). */
export class PeerPositions {
  readonly #peers = new Map<DeviceId, HeardPosition>();

  /** A hello from `device`; `reply` when it answered one of ours. */
  heard(device: DeviceId, position: PeerPosition, reply: boolean): void {
    const before = this.#peers.get(device)?.tickHeads;
    this.#peers.set(device, {
      ...position,
      tickHeads: reply ? (before ?? position.heads) : position.heads,
    });
  }

  get(device: DeviceId): HeardPosition | undefined {
    return this.#peers.get(device);
  }

  /**
   * True when no peer's last hello showed an epoch or update this device lacks, given its
   * chain of epochs and its timeline's chain heads (`ours`, by author hex).
   */
  nothingMissing(
    chain: readonly { readonly epochId: Uint8Array }[],
    ours: ReadonlyMap<string, ChainHead>,
  ): boolean {
    for (const peer of this.#peers.values()) {
      const id = peer.latestEpochId;
      if (id !== undefined && !chain.some((r) => bytesEqual(r.epochId, id))) return false;
      for (const [author, head] of peer.heads) {
        if ((ours.get(author)?.seq ?? -1) < head.seq) return false;
      }
    }
    return true;
  }
}

/**
 * Welcomes this device sent and owes again until the invited device shows, by a hello, that it
 * joined (the first may be lost, or the device offline).
 */
export class PendingWelcomes {
  readonly #frames = new Map<DeviceId, Uint8Array>();

  owe(device: DeviceId, frame: Uint8Array): void {
    this.#frames.set(device, frame);
  }

  /** The device joined: nothing is owed to it any more. */
  acknowledged(device: DeviceId): void {
    this.#frames.delete(device);
  }

  get(device: DeviceId): Uint8Array | undefined {
    return this.#frames.get(device);
  }

  [Symbol.iterator](): IterableIterator<[DeviceId, Uint8Array]> {
    return this.#frames.entries();
  }
}
