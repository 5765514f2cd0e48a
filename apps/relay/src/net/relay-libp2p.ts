import { circuitRelayServer, type CircuitRelayService } from '@libp2p/circuit-relay-v2';
import { identify, type Identify } from '@libp2p/identify';
import type { Ed25519PrivateKey, Libp2p, PeerId, TLSCertificate } from '@libp2p/interface';
import { noise } from '@libp2p/noise';
import { ping, type Ping } from '@libp2p/ping';
import { tcp } from '@libp2p/tcp';
import { webSockets } from '@libp2p/websockets';
import { yamux } from '@libp2p/yamux';
import type { Multiaddr } from '@multiformats/multiaddr';
import { createLibp2p } from 'libp2p';
import type { RelayConfig } from '../config/settings.ts';
import { RelayError, describeError } from '../errors.ts';

// A type alias, not an interface: libp2p's ServiceMap needs the implicit index signature.
// eslint-disable-next-line @typescript-eslint/consistent-type-definitions
type RelayServices = {
  identify: Identify;
  ping: Ping;
  circuitRelay: CircuitRelayService;
  certificates: CertificateRenewal;
};

/** The part of libp2p's event bus (its components' `events`) that renewal uses. */
interface RenewalEvents {
  safeDispatchEvent(type: 'certificate:renew', init: { detail: TLSCertificate }): boolean;
}

/**
 * Hands a new TLS certificate to the WebSockets transport: libp2p's 'certificate:renew' event,
 * on which each WebSockets listener serves new TLS connections with it (open ones keep theirs).
 */
class CertificateRenewal {
  readonly #events: RenewalEvents;

  constructor(components: { events: RenewalEvents }) {
    this.#events = components.events;
  }

  renew(certificate: TLSCertificate): void {
    this.#events.safeDispatchEvent('certificate:renew', { detail: certificate });
  }
}

/**
 * A renewed certificate makes every WebSockets listener serve TLS, plain /ws ones too (they tell
 * the two apart by the first byte): such a port stays announced as plain /ws only, as configured.
 */
function plainPortsStayPlain(addresses: Multiaddr[]): Multiaddr[] {
  const text = addresses.map((a) => a.toString());
  return addresses.filter((a, i) => {
    const s = text[i] ?? '';
    if (!s.includes('/tls/ws')) return true;
    return !text.includes(s.replace('/tls/ws', '/ws'));
  });
}

export type RelayLibp2p = Libp2p<RelayServices>;

export interface RelayLibp2pHooks {
  /** A reservation the relay is about to refuse because it holds `maxReservations` already. */
  readonly onReservationRefused: (peer: PeerId) => void;
}

/**
 * The relay's libp2p node, started: TCP and WebSockets with noise and yamux like the devices,
 * identify and ping, and a circuit relay v2 server whose per-connection limits come from the
 * config. libp2p's defaults (2 minutes, 128 KiB) would cut a relayed chat off within minutes.
 * No gossipsub: the relay carries no conversation traffic of its own; its services speak
 * request/response protocols.
 */
export async function startRelayLibp2p(
  privateKey: Ed25519PrivateKey,
  config: RelayConfig,
  hooks: RelayLibp2pHooks,
  certificate?: TLSCertificate,
): Promise<RelayLibp2p> {
  const node: RelayLibp2p = await createLibp2p({
    start: false,
    privateKey,
    addresses: {
      listen: [...config.listen],
      ...(config.announce.length > 0 ? { announce: [...config.announce] } : {}),
      announceFilter: plainPortsStayPlain,
    },
    // With a certificate, /tls/ws listeners serve TLS (secure WebSockets, what browsers dial).
    transports: [
      tcp(),
      webSockets(
        certificate === undefined
          ? {}
          : { https: { cert: certificate.cert, key: certificate.key } },
      ),
    ],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: {
      maxConnections: config.maxConnections,
      inboundConnectionThreshold: config.connectionsPerSecondPerIp,
    },
    connectionGater: {
      // Only counts: the circuit server itself refuses the reservation just after.
      denyInboundRelayReservation: (peer) => {
        const reservations = node.services.circuitRelay.reservations;
        if (!reservations.has(peer) && reservations.size >= config.circuit.maxReservations) {
          hooks.onReservationRefused(peer);
        }
        return false;
      },
    },
    services: {
      identify: identify(),
      ping: ping(),
      certificates: (components: { events: RenewalEvents }) => new CertificateRenewal(components),
      circuitRelay: circuitRelayServer({
        reservations: {
          maxReservations: config.circuit.maxReservations,
          reservationTtl: config.circuit.reservationTtlMs,
          defaultDurationLimit: config.circuit.connectionDurationMs,
          defaultDataLimit: BigInt(config.circuit.connectionDataBytes),
        },
      }),
    },
  });
  try {
    await node.start();
  } catch (cause) {
    await Promise.resolve(node.stop()).catch(() => undefined);
    throw new RelayError(
      'LISTEN_FAILED',
      `cannot listen on every --listen address: ${describeError(cause)}\nChoose free ports with --listen, or stop what uses them`,
      { cause },
    );
  }
  return node;
}

/** The addresses devices can dial, each ending in /p2p/<peer id>; circuit addresses left out. */
export function dialableMultiaddrs(node: Libp2p): string[] {
  const id = node.peerId.toString();
  return node
    .getMultiaddrs()
    .map((a) => a.toString())
    .filter((a) => !a.includes('/p2p-circuit'))
    .map((a) => (a.endsWith(`/p2p/${id}`) ? a : `${a}/p2p/${id}`));
}
