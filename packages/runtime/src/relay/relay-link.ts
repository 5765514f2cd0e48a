import type { PeerId } from '@libp2p/interface';
import {
  decodeDirectFrame,
  type KithClient,
  type KvStore,
  type RoomId,
  type UserId,
} from '@kith/core';
import type { DeviceLibp2p } from '../net/device-libp2p.ts';
import type { Libp2pTransport } from '../net/libp2p-transport.ts';
import { RelayDirectory } from './relay-directory.ts';
import { RelayMailboxes } from './relay-mailboxes.ts';
import { WelcomeDeposits } from './welcome-deposits.ts';

/**
 * Everything this device does with its relays: mailboxes for its rooms, its key packages, and
 * inboxes. A relay that connects is asked at once for what it kept; otherwise they are polled.
 */
export class RelayLink {
  readonly relays: readonly PeerId[];
  readonly #mailboxes: RelayMailboxes;
  readonly #directory: RelayDirectory;
  readonly #welcomes: WelcomeDeposits;
  readonly #onError: (error: unknown) => void;
  #visit: Promise<void> | undefined;
  #deposits: Promise<void> = Promise.resolve();

  constructor(
    parts: { client: KithClient; libp2p: DeviceLibp2p; transport: Libp2pTransport; kv: KvStore },
    relays: readonly PeerId[],
    onError: (error: unknown) => void,
  ) {
    this.relays = relays;
    this.#mailboxes = new RelayMailboxes(parts, relays, onError);
    this.#directory = new RelayDirectory(parts, relays);
    this.#onError = onError;
    const byId = new Map(relays.map((r) => [r.toString(), r]));
    this.#welcomes = new WelcomeDeposits(
      {
        kv: parts.kv,
        deposit: (relay, to, frame) => {
          const peer = byId.get(relay);
          // A relay dropped from the configuration since the Welcome was kept: nothing to offer.
          if (peer === undefined) return Promise.resolve({ type: 'ok' });
          return this.#directory.deposit(peer, to, frame);
        },
        now: () => Date.now(),
        onError,
      },
      relays.map((r) => r.toString()),
    );
  }

  isRelay(peer: PeerId): boolean {
    return this.relays.some((r) => r.equals(peer));
  }

  /** The relays of a room reachable now (its blob uploads and downloads use them too). */
  relaysOf(roomId: RoomId): Promise<PeerId[]> {
    return this.#mailboxes.relaysOf(roomId);
  }

  /** A message this device published: the relays keep a copy for offline members. */
  mirror(topic: string, data: Uint8Array, onStored?: () => void): void {
    this.#mailboxes.mirror(topic, data, onStored);
  }

  /** How many batches of mirrored messages `relay` (a peer ID) has not acknowledged yet. */
  owedTo(relay: string): number {
    return this.#mailboxes.owedTo(relay);
  }

  /** A direct frame for an unreachable device: a Welcome waits in its inbox on the relays. */
  undeliverable(peer: PeerId | undefined, data: Uint8Array): void {
    if (this.relays.length === 0 || peer?.type !== 'Ed25519') return;
    if (!isWelcome(data)) return;
    const to = peer.publicKey.raw;
    this.#deposits = this.#deposits.then(() => this.#welcomes.add(to, data)).catch(this.#onError);
  }

  /** Key packages of `user` kept on the relays (for inviting a user who is offline). */
  takeKeyPackages(user: UserId): Promise<Uint8Array[]> {
    return this.#directory.take(user);
  }

  /** Collects inbox and mailboxes and tops up key packages; one visit at a time. */
  visit(): Promise<void> {
    this.#visit ??= this.#run().finally(() => {
      this.#visit = undefined;
    });
    return this.#visit;
  }

  /** Resolves once every published message and inbox deposit was offered to the relays. */
  async flushed(): Promise<void> {
    await this.#mailboxes.flushed();
    await this.#deposits;
  }

  async #run(): Promise<void> {
    // The inbox first: a Welcome there may add a room whose mailbox is then fetched.
    await this.#directory.collect().catch(this.#onError);
    await this.#mailboxes.fetchAll().catch(this.#onError);
    // Welcomes a relay could not take before (down, slow, this device restarted since).
    await this.#welcomes.flush().catch(this.#onError);
    await this.#directory.replenish().catch(this.#onError);
  }
}

function isWelcome(frame: Uint8Array): boolean {
  try {
    return decodeDirectFrame(frame).type === 'welcome';
  } catch {
    return false;
  }
}
