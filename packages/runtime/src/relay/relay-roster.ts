import type { PeerId } from '@libp2p/interface';
import type { KithClient, RoomId } from '@kith/core';
import type { DeviceLibp2p } from '../net/device-libp2p.ts';
import { relayOf } from './relay-keeper.ts';

/** The first and the longest wait before trying a relay that could not be reached again. */
const AWAY_FIRST_MS = 30_000;
const AWAY_MAX_MS = 10 * 60_000;

/** Relay addresses already given to the peer store (bounded: rooms name at most 16 each). */
const MAX_KNOWN_ADDRESSES = 4096;

/**
 * Which relays a room's mailboxes live on: this device's own and those its members recorded
 * (docs/PROTOCOL.md §12.5), minus those left out for a while for having been unreachable (a
 * relay a member named but that is gone must not cost every pass a timeout).
 */
export class RelayRoster {
  /** This device's own relays: the user chose them, so they are always tried. */
  readonly own: readonly PeerId[];
  readonly #client: KithClient;
  readonly #libp2p: DeviceLibp2p;
  readonly #knownAddresses = new Set<string>();
  readonly #away = new Map<string, { until: number; waitMs: number }>();

  constructor(client: KithClient, libp2p: DeviceLibp2p, own: readonly PeerId[]) {
    this.#client = client;
    this.#libp2p = libp2p;
    this.own = own;
  }

  /**
   * The relays of a room. Addresses named by members go to the peer store so the relay can be
   * dialled; a malformed one is skipped.
   */
  async of(roomId: RoomId): Promise<PeerId[]> {
    const out: PeerId[] = [...this.own];
    for (const address of this.#client.roomRelays(roomId)) {
      const parsed = relayOf(address);
      if (parsed === undefined || out.some((p) => p.equals(parsed.peer))) continue;
      out.push(parsed.peer);
      if (!this.#knownAddresses.has(address) && this.#knownAddresses.size < MAX_KNOWN_ADDRESSES) {
        this.#knownAddresses.add(address);
        await this.#libp2p.peerStore
          .merge(parsed.peer, { multiaddrs: [parsed.address] })
          .catch(() => undefined);
      }
    }
    return out;
  }

  /** The relays not left out for having been unreachable; own relays always count. */
  present(relays: readonly PeerId[]): PeerId[] {
    const now = Date.now();
    return relays.filter(
      (r) =>
        this.own.some((own) => own.equals(r)) || (this.#away.get(r.toString())?.until ?? 0) <= now,
    );
  }

  /** `relay` answered (or connected): it is tried again at once. */
  reached(relay: PeerId | string): void {
    this.#away.delete(relay.toString());
  }

  /** `relay` could not be reached: left out for a while, longer each time in a row. */
  wentAway(relay: PeerId): void {
    const key = relay.toString();
    const waitMs = Math.min(
      AWAY_MAX_MS,
      Math.max(AWAY_FIRST_MS, (this.#away.get(key)?.waitMs ?? 0) * 2),
    );
    this.#away.set(key, { until: Date.now() + waitMs, waitMs });
  }
}
