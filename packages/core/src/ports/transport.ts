import type { DeviceId } from '../ids.ts';

/**
 * What a runtime's network gives the engine: topic broadcast (gossipsub in @kith/node) and
 * direct, authenticated device-to-device messages (a libp2p protocol stream). Everything the
 * engine passes through here is already MLS ciphertext or a sync frame between members; the
 * transport adds no meaning of its own. Delivery is best effort: the sync protocol fills gaps.
 */
export interface TransportPort {
  /** This device, as the other end of a direct message sees it. */
  readonly self: DeviceId;
  /** Starts receiving the topic's broadcasts (a room's topic, while this device is in the room). */
  subscribe(topic: string): void;
  /** Stops receiving the topic's broadcasts (after leaving the room). */
  unsubscribe(topic: string): void;
  /**
   * Broadcasts to the topic's other subscribers (never back to this device). An `ephemeral`
   * message (typing, presence) is for whoever is online now: it must not be kept for later
   * (relay mailboxes), as nobody would want it then.
   */
  publish(topic: string, data: Uint8Array, options?: PublishOptions): Promise<void>;
  /**
   * Sends to one device. The receiver learns `from` from the channel's authentication
   * (the libp2p peer ID bound to the device key), not from anything in `data`.
   */
  sendTo(device: DeviceId, data: Uint8Array): Promise<void>;
  /** Registers a handler; returns the function that removes it. */
  onMessage(handler: (message: InboundMessage) => void): () => void;
  /**
   * Devices becoming reachable or unreachable: a reachable member is a chance to sync. A new
   * handler is first told (at once or soon after) of every device reachable now, so one
   * registered after start-up misses no one.
   */
  onPeer(handler: (event: PeerEvent) => void): () => void;
  /** Stops sending and receiving; later sends fail with TRANSPORT_CLOSED. */
  close(): Promise<void>;
}

/** How a broadcast is sent. */
export interface PublishOptions {
  /** For whoever is online now (typing, presence): never kept for later. */
  readonly ephemeral?: boolean;
  /**
   * Called (at most once, at any time later) when a relay acknowledged keeping a copy of a
   * message that is not ephemeral; a transport without relays never calls it.
   */
  readonly onStored?: () => void;
}

/** A message that arrived: a topic broadcast, or a direct message from an authenticated device. */
export type InboundMessage =
  /** A topic broadcast: who relayed it is not authenticated, its MLS framing says who wrote it. */
  | { readonly kind: 'topic'; readonly topic: string; readonly data: Uint8Array }
  /** A direct message from an authenticated device. */
  | { readonly kind: 'direct'; readonly from: DeviceId; readonly data: Uint8Array };

/** A device became reachable (`reachable`) or stopped being reachable. */
export interface PeerEvent {
  readonly device: DeviceId;
  readonly reachable: boolean;
}
