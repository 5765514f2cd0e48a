import { bootstrap } from '@libp2p/bootstrap';
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2';
import { dcutr } from '@libp2p/dcutr';
import { FaultTolerance, type Ed25519PrivateKey } from '@libp2p/interface';
import { mdns } from '@libp2p/mdns';
import { noise } from '@libp2p/noise';
import { tcp } from '@libp2p/tcp';
import { webRTC } from '@libp2p/webrtc';
import { webSockets } from '@libp2p/websockets';
import { yamux } from '@libp2p/yamux';
import { createLibp2p, type Libp2pOptions } from 'libp2p';
import {
  deviceServices,
  type DeviceLibp2p,
  type DeviceNetworkOptions,
  type PeerGuard,
} from '@kith/runtime';

export interface NodeNetworkOptions extends DeviceNetworkOptions {
  /** Multiaddrs to listen on (default: TCP and WebSockets on every interface, ports chosen). */
  readonly listen?: readonly string[];
  /** Find Kith devices on the local network (default true). */
  readonly mdns?: boolean | { readonly interval?: number; readonly port?: number };
  /**
   * STUN and TURN servers for WebRTC. None by default: WebRTC then connects directly only to
   * peers reachable without them (the same network, or a public address). Choose them
   * deliberately: they learn this device's addresses.
   */
  readonly iceServers?: readonly RTCIceServer[];
}

/** Where a Node device listens by default: free TCP and WebSocket ports on all interfaces. */
export const DEFAULT_LISTEN = ['/ip4/0.0.0.0/tcp/0', '/ip4/0.0.0.0/tcp/0/ws'] as const;

/** mDNS service name: Kith devices find each other, not every libp2p node on the LAN. */
const MDNS_SERVICE = '_kith._udp.local';

/**
 * A device's libp2p node on Node: TCP and WebSockets, circuit relay and DCUtR, WebRTC (the way
 * a browser tab and this device, having met through a relay, connect directly), noise, yamux,
 * mDNS, and the services of every Kith device (`deviceServices`: identify, ping, gossipsub),
 * its key being the device key.
 */
export async function createDeviceLibp2p(
  privateKey: Ed25519PrivateKey,
  guard: PeerGuard,
  options: NodeNetworkOptions = {},
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
      listen: [
        ...(options.listen ?? DEFAULT_LISTEN),
        ...relays.map((r) => `${r}/p2p-circuit`),
        // Others may open a WebRTC connection to this device through its relays (a browser
        // tab can dial nothing else of a Node device's).
        '/webrtc',
      ],
    },
    // Relayed connections upgrade to direct ones: WebRTC (signalled through the relay, see
    // moveOffRelays) or DCUtR's hole punch, where the network allows.
    transports: [
      tcp(),
      webSockets(),
      webRTC({ rtcConfiguration: { iceServers: [...(options.iceServers ?? [])] } }),
      circuitRelayTransport(),
    ],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: guard.gater(),
    // A relay that is down or full must not keep the device from starting on its own addresses.
    transportManager: { faultTolerance: FaultTolerance.NO_FATAL },
    connectionManager: { maxConnections: options.maxConnections ?? 300 },
    peerDiscovery: discovery,
    services: { ...deviceServices(), dcutr: dcutr() },
  });
  guard.onViolation(({ peer }) => {
    void node.hangUp(peer).catch(() => undefined);
  });
  return node;
}
