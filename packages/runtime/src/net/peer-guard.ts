import type { ConnectionGater, PeerId } from '@libp2p/interface';

/** Why a peer was cut off: shown in logs and in the node's `peer-blocked` event. */
export interface Misbehaviour {
  /** The peer that was cut off. */
  readonly peer: PeerId;
  /** What it did. */
  readonly reason: string;
}

/** How strict a `PeerGuard` is. */
export interface PeerGuardOptions {
  /** How long a peer that broke protocol stays blocked (default 10 minutes). */
  readonly blockMs?: number;
  /** Invalid gossip messages tolerated from one peer before it is blocked (default 8). */
  readonly gossipStrikes?: number;
  /** The clock, in ms (default Date.now); tests pass their own. */
  readonly now?: () => number;
}

/**
 * Which peers this device refuses to talk to, as a libp2p connection gater. A peer lands here
 * for breaking protocol (garbage on a Kith protocol at once; invalid gossip after a few
 * strikes, since gossip relays others' messages too) or because the user blocked it. Blocks
 * for misbehaviour expire, so a peer that was fixed can come back.
 */
export class PeerGuard {
  readonly #until = new Map<string, number>();
  readonly #strikes = new Map<string, number>();
  readonly #blockMs: number;
  readonly #gossipStrikes: number;
  readonly #now: () => number;
  readonly #listeners = new Set<(m: Misbehaviour) => void>();

  constructor(options: PeerGuardOptions = {}) {
    this.#blockMs = options.blockMs ?? 10 * 60_000;
    this.#gossipStrikes = options.gossipStrikes ?? 8;
    this.#now = options.now ?? Date.now;
  }

  /** Whether `peer` is blocked now (for breaking protocol, or by the user). */
  isBlocked(peer: PeerId): boolean {
    const key = peer.toString();
    const until = this.#until.get(key);
    if (until === undefined) return false;
    if (until > this.#now()) return true;
    this.#until.delete(key);
    return false;
  }

  /** Blocks a peer until `unblock` (or, for a duration, until it runs out). */
  block(peer: PeerId, durationMs = Number.POSITIVE_INFINITY): void {
    this.#until.set(peer.toString(), this.#now() + durationMs);
  }

  /** Lifts a block at once and forgets the peer's strikes. */
  unblock(peer: PeerId): void {
    this.#until.delete(peer.toString());
    this.#strikes.delete(peer.toString());
  }

  /** A protocol violation on a direct Kith stream: blocks the peer at once. */
  violation(peer: PeerId, reason: string): void {
    this.block(peer, this.#blockMs);
    for (const l of this.#listeners) l({ peer, reason });
  }

  /** An invalid gossip message relayed by `peer`; blocks it after repeated strikes. */
  strike(peer: PeerId, reason: string): void {
    const key = peer.toString();
    const n = (this.#strikes.get(key) ?? 0) + 1;
    this.#strikes.set(key, n);
    if (n >= this.#gossipStrikes) {
      this.#strikes.delete(key);
      this.violation(peer, `${n} invalid gossip messages (last: ${reason})`);
    }
  }

  /** Called on each violation that blocks a peer (the runtime then hangs up on it). */
  onViolation(listener: (m: Misbehaviour) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The libp2p connection gater enforcing the blocks, for dials and accepted connections. */
  gater(): ConnectionGater {
    return {
      denyDialPeer: (peer) => this.isBlocked(peer),
      denyInboundEncryptedConnection: (peer) => this.isBlocked(peer),
      denyOutboundEncryptedConnection: (peer) => this.isBlocked(peer),
    };
  }
}
