import { bootstrap } from '@libp2p/bootstrap';
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2';
import { FaultTolerance, type ConnectionGater, type Ed25519PrivateKey } from '@libp2p/interface';
import { noise } from '@libp2p/noise';
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

export interface BrowserNetworkOptions extends DeviceNetworkOptions {
  /**
   * STUN and TURN servers for WebRTC. None by default: a browser then connects directly only to
   * peers it can reach without them (the same network, or a public address). Choose them
   * deliberately: they learn this device's addresses.
   */
  readonly iceServers?: readonly RTCIceServer[];
  /**
   * Dial insecure WebSockets (ws://) and private addresses, which browsers are kept from by
   * default. For development and tests on 127.0.0.1 only: a real page dials relays over wss://.
   */
  readonly dialInsecure?: boolean;
}

/**
 * A device's libp2p node in a browser: WebSockets to relays, the circuit-relay transport with a
 * reservation on each relay (so others reach this tab through it), and WebRTC, which upgrades a
 * relayed connection to a direct one. Noise, yamux, and the services of every Kith device
 * (`deviceServices`: identify, ping, gossipsub). A browser cannot listen on a port of its own.
 */
export async function createBrowserLibp2p(
  privateKey: Ed25519PrivateKey,
  guard: PeerGuard,
  options: BrowserNetworkOptions = {},
): Promise<DeviceLibp2p> {
  const relays = options.relays ?? [];
  const known = [...(options.bootstrap ?? []), ...relays];
  const discovery: NonNullable<Libp2pOptions['peerDiscovery']> = [];
  if (known.length > 0) discovery.push(bootstrap({ list: known }));
  const gater: ConnectionGater = guard.gater();
  // libp2p's browser default refuses ws:// and private addresses when none is given.
  if (options.dialInsecure === true) gater.denyDialMultiaddr = () => false;
  const node = await createLibp2p({
    privateKey,
    addresses: {
      // '/webrtc': other devices may open a WebRTC connection to this tab through a relay.
      listen: [...(options.listen ?? []), ...relays.map((r) => `${r}/p2p-circuit`), '/webrtc'],
    },
    transports: [
      webSockets(),
      webRTC({ rtcConfiguration: { iceServers: [...(options.iceServers ?? [])] } }),
      circuitRelayTransport(),
    ],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: gater,
    // A relay that is down or full must not keep the device from starting.
    transportManager: { faultTolerance: FaultTolerance.NO_FATAL },
    connectionManager: { maxConnections: options.maxConnections ?? 100 },
    peerDiscovery: discovery,
    services: deviceServices(),
  });
  guard.onViolation(({ peer }) => {
    void node.hangUp(peer).catch(() => undefined);
  });
  return node;
}
