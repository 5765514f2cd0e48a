import { bootstrap } from '@libp2p/bootstrap';
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2';
import { dcutr } from '@libp2p/dcutr';
import { gossipsub, type GossipSub } from '@libp2p/gossipsub';
import { identify, identifyPush, type Identify, type IdentifyPush } from '@libp2p/identify';
import { FaultTolerance, type Ed25519PrivateKey, type Libp2p } from '@libp2p/interface';
import { mdns } from '@libp2p/mdns';
import { noise } from '@libp2p/noise';
import { ping, type Ping } from '@libp2p/ping';
import { tcp } from '@libp2p/tcp';
import { webSockets } from '@libp2p/websockets';
import { yamux } from '@libp2p/yamux';
import { createLibp2p, type Libp2pOptions } from 'libp2p';
import { createHash } from 'node:crypto';
import { circuitListen, type CircuitListen } from './circuit-listen.ts';
import type { PeerGuard } from './peer-guard.ts';

// A type alias, not an interface: libp2p's ServiceMap needs the implicit index signature.
// eslint-disable-next-line @typescript-eslint/consistent-type-definitions
export type DeviceServices = {
  pubsub: GossipSub;
  identify: Identify;
  identifyPush: IdentifyPush;
  ping: Ping;
  dcutr: unknown;
  circuitListen: CircuitListen;
};

export type DeviceLibp2p = Libp2p<DeviceServices>;

export interface DeviceNetworkOptions {
  /** Multiaddrs to listen on (default: TCP and WebSockets on every interface, ports chosen). */
  readonly listen?: readonly string[];
  /** Peers to connect to at start and keep in touch with (relays, a home server, friends). */
  readonly bootstrap?: readonly string[];
  /** Find Kith devices on the local network (default true). */
  readonly mdns?: boolean | { readonly interval?: number; readonly port?: number };
  readonly maxConnections?: number;
  /**
   * Relays (multiaddrs ending in /p2p/<relay peer id>): this device reserves a slot on each and
   * listens on `<relay>/p2p-circuit`, so devices that cannot dial it directly reach it there.
   */
  readonly relays?: readonly string[];
}

export const DEFAULT_LISTEN = ['/ip4/0.0.0.0/tcp/0', '/ip4/0.0.0.0/tcp/0/ws'] as const;

/** mDNS service name: Kith devices find each other, not every libp2p node on the LAN. */
const MDNS_SERVICE = '_kith._udp.local';

/**
 * A device's libp2p node: TCP and WebSockets, noise, yamux, identify, ping and gossipsub, its
 * key being the device key. Gossip is unsigned at the libp2p layer: every message is MLS
 * ciphertext whose sender the group authenticates, and a libp2p signature would only tell
 * relays which device wrote what. Messages are identified by a hash of topic and data.
 */
export async function createDeviceLibp2p(
  privateKey: Ed25519PrivateKey,
  guard: PeerGuard,
  options: DeviceNetworkOptions = {},
): Promise<DeviceLibp2p> {
  const discovery: NonNullable<Libp2pOptions['peerDiscovery']> = [];
  if (options.mdns !== false) {
    const init = typeof options.mdns === 'object' ? options.mdns : {};
    discovery.push(mdns({ serviceTag: MDNS_SERVICE, ...init }));
  }
  const known = [...(options.bootstrap ?? []), ...(options.relays ?? [])];
  if (known.length > 0) discovery.push(bootstrap({ list: known }));
  const relays = options.relays ?? [];
  const node = await createLibp2p({
    privateKey,
    addresses: {
      listen: [...(options.listen ?? DEFAULT_LISTEN), ...relays.map((r) => `${r}/p2p-circuit`)],
    },
    // Relayed connections upgrade to direct ones through DCUtR where the network allows.
    transports: [tcp(), webSockets(), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: guard.gater(),
    // A relay that is down or full must not keep the device from starting on its own addresses.
    transportManager: { faultTolerance: FaultTolerance.NO_FATAL },
    connectionManager: { maxConnections: options.maxConnections ?? 300 },
    peerDiscovery: discovery,
    services: {
      identify: identify(),
      // Protocols registered after start (the engine's) reach peers already connected.
      identifyPush: identifyPush(),
      ping: ping(),
      dcutr: dcutr(),
      // Renews relay reservations after a relay restart (relay/relay-keeper.ts).
      circuitListen: circuitListen(),
      pubsub: gossipsub({
        globalSignaturePolicy: 'StrictNoSign',
        // The topic is part of the ID: the same bytes on two topics are two messages.
        msgIdFn: (message) =>
          createHash('sha256').update(message.topic).update(message.data).digest(),
        allowPublishToZeroTopicPeers: true,
        ignoreDuplicatePublishError: true,
        runOnLimitedConnection: true,
        // Engine frames are at most 4 MiB; a commit for a large group is the biggest message.
        maxInboundDataLength: 4 * 1024 * 1024,
      }),
    },
  });
  guard.onViolation(({ peer }) => {
    void node.hangUp(peer).catch(() => undefined);
  });
  return node;
}
