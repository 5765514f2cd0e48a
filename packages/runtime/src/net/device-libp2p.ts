import { gossipsub, type GossipSub } from '@libp2p/gossipsub';
import { identify, identifyPush, type Identify, type IdentifyPush } from '@libp2p/identify';
import type { Ed25519PrivateKey, Libp2p } from '@libp2p/interface';
import { ping, type Ping } from '@libp2p/ping';
import { sha256 } from '@noble/hashes/sha2.js';
import { circuitListen, type CircuitListen } from './circuit-listen.ts';
import type { PeerGuard } from './peer-guard.ts';

/** The libp2p services every device runs (see `deviceServices`), by the names Kith uses. */
// A type alias, not an interface: libp2p's ServiceMap needs the implicit index signature.
// eslint-disable-next-line @typescript-eslint/consistent-type-definitions
export type DeviceServices = {
  pubsub: GossipSub;
  identify: Identify;
  identifyPush: IdentifyPush;
  ping: Ping;
  circuitListen: CircuitListen;
};

/** A device's libp2p node, whatever the runtime (a runtime may add services of its own). */
export type DeviceLibp2p = Libp2p<DeviceServices>;

/** Network options every runtime understands. */
export interface DeviceNetworkOptions {
  /** Multiaddrs to listen on (each runtime has its own default). */
  readonly listen?: readonly string[];
  /** Peers to connect to at start and keep in touch with (relays, a home server, friends). */
  readonly bootstrap?: readonly string[];
  /** Most connections libp2p keeps open at once (default 300 on Node, 100 in a browser). */
  readonly maxConnections?: number;
  /**
   * Relays (multiaddrs ending in /p2p/<relay peer id>): this device reserves a slot on each and
   * listens on `<relay>/p2p-circuit`, so devices that cannot dial it directly reach it there.
   */
  readonly relays?: readonly string[];
}

/**
 * Builds a runtime's libp2p node for a device: its transports and discovery are the runtime's,
 * the rest comes from `deviceServices`. `listen` is where it should listen (the runtime's
 * default or last run's ports).
 */
export type DeviceLibp2pFactory<O extends DeviceNetworkOptions> = (
  privateKey: Ed25519PrivateKey,
  guard: PeerGuard,
  options: O,
) => Promise<DeviceLibp2p>;

/**
 * A gossip message's ID: SHA-256 of topic then data, so the same bytes on two topics are two
 * messages. Every runtime must compute the same bytes, or devices would see each other's
 * messages as new and forward them again.
 */
export function gossipMessageId(message: { topic: string; data: Uint8Array }): Uint8Array {
  const topic = new TextEncoder().encode(message.topic);
  const bytes = new Uint8Array(topic.length + message.data.length);
  bytes.set(topic);
  bytes.set(message.data, topic.length);
  return sha256(bytes);
}

/**
 * The libp2p services of every Kith device: identify (and its push, so protocols registered
 * after start reach peers already connected), ping, and gossipsub with Kith's settings. Gossip
 * is unsigned at the libp2p layer: every message is MLS ciphertext whose sender the group
 * authenticates, and a libp2p signature would only tell relays which device wrote what.
 * Message IDs hash topic and data with a portable SHA-256 (no node:crypto: browsers too).
 */
// The factories' types are libp2p's own: the runtime's createLibp2p call checks them.
export function deviceServices() {
  return {
    /** Learns each peer's protocols and addresses. */
    identify: identify(),
    /** Tells connected peers when this device's protocols or addresses change. */
    identifyPush: identifyPush(),
    /** Measures round trips and keeps idle connections known to be alive. */
    ping: ping(),
    /** Renews relay reservations after a relay restart (relay/relay-keeper.ts). */
    circuitListen: circuitListen(),
    /** Gossipsub: one topic per room, MLS ciphertext only. */
    pubsub: gossipsub({
      globalSignaturePolicy: 'StrictNoSign',
      msgIdFn: gossipMessageId,
      allowPublishToZeroTopicPeers: true,
      ignoreDuplicatePublishError: true,
      runOnLimitedConnection: true,
      // Engine frames are at most 4 MiB; a commit for a large group is the biggest message.
      maxInboundDataLength: 4 * 1024 * 1024,
    }),
  };
}
