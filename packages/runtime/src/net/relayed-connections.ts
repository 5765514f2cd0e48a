import type { Connection, IdentifyResult, Libp2p, PeerId } from '@libp2p/interface';
import type { Identify } from '@libp2p/identify';
import type { Multiaddr } from '@multiformats/multiaddr';

// A type alias, not an interface: libp2p's ServiceMap needs the implicit index signature.
// eslint-disable-next-line @typescript-eslint/consistent-type-definitions
type Services = { identify: Identify };

/** @libp2p/webrtc's signalling protocol, spoken over the relayed connection during an upgrade. */
const WEBRTC_SIGNALLING = '/webrtc-signaling/0.0.1';

/**
 * Moves a peer's traffic off the relay. Two devices that met through a relay upgrade to WebRTC
 * when the peer listens for it through the relay (a browser tab): the one with the lower peer ID
 * dials, so the two do not open two connections; a runtime without WebRTC fails the dial and
 * stays relayed. libp2p then keeps the relayed connection open beside the direct one (WebRTC, a
 * hole punch, a direct dial), and gossipsub keeps its streams where it opened them first: on
 * the relay, which would then carry the conversation for good. So:
 * - once a direct connection is identified, the relayed connections to that peer are closed,
 *   and so is a relayed connection identified while a direct one is open;
 * - once a relayed connection closes (by either end) while a direct one is open, identify runs
 *   again on the direct one, which makes gossipsub (every topology) open its streams there.
 * Returns a function that stops it.
 */
export function moveOffRelays(libp2p: Libp2p<Services>): () => void {
  const reidentifying = new Set<string>();
  const upgrading = new Set<string>();
  const onIdentify = (event: CustomEvent<IdentifyResult>): void => {
    const { peerId, connection, listenAddrs } = event.detail;
    if (connection.status !== 'open') return;
    const connections = libp2p.getConnections(peerId);
    if (isRelayed(connection)) {
      // A relayed connection opened while a direct one is up (a dial through the relay by an
      // address from a contact link, say) would otherwise stay beside it for good.
      const direct = connections.some((c) => !isRelayed(c) && c.status === 'open');
      if (direct) closeRelayed(connection);
      else upgrade(libp2p, peerId, listenAddrs, upgrading);
      return;
    }
    for (const c of connections) if (isRelayed(c)) closeRelayed(c);
  };
  const onClose = (event: CustomEvent<Connection>): void => {
    const closed = event.detail;
    if (!isRelayed(closed) || libp2p.status !== 'started') return;
    const direct = libp2p
      .getConnections(closed.remotePeer)
      .find((c) => !isRelayed(c) && c.status === 'open');
    const key = closed.remotePeer.toString();
    if (direct === undefined || reidentifying.has(key)) return;
    reidentifying.add(key);
    // The streams on the relayed connection are gone: topologies reopen theirs on this one.
    void libp2p.services.identify
      .identify(direct)
      .catch(() => undefined)
      .finally(() => reidentifying.delete(key));
  };
  libp2p.addEventListener('peer:identify', onIdentify);
  libp2p.addEventListener('connection:close', onClose);
  return () => {
    libp2p.removeEventListener('peer:identify', onIdentify);
    libp2p.removeEventListener('connection:close', onClose);
  };
}

/** Dials the peer's WebRTC address through a relay, if it has one and this end should. */
function upgrade(
  libp2p: Libp2p<Services>,
  peer: PeerId,
  listenAddrs: readonly Multiaddr[],
  upgrading: Set<string>,
): void {
  const key = peer.toString();
  if (libp2p.peerId.toString() > key || upgrading.has(key)) return;
  const webrtc = listenAddrs.find((a) => {
    const names = a.getComponents().map((c) => c.name);
    return names.includes('p2p-circuit') && names.at(-1) === 'webrtc';
  });
  if (webrtc === undefined) return;
  const connections = libp2p.getConnections(peer);
  if (connections.some((c) => !isRelayed(c))) return;
  // The peer is already signalling a WebRTC connection to this end (it dialled a /webrtc address
  // itself): a second one would make two, and the other end may drop one under a new stream.
  if (connections.some((c) => c.streams.some((s) => s.protocol === WEBRTC_SIGNALLING))) return;
  // A WebRTC dial already under way (from a contact link's addresses, say) is enough.
  const pending = libp2p.getDialQueue().filter((d) => d.peerId?.equals(peer) === true);
  if (pending.some((d) => d.multiaddrs.some((a) => a.toString().includes('/webrtc')))) return;
  upgrading.add(key);
  libp2p
    .dial(webrtc.encapsulate(`/p2p/${key}`))
    .catch(() => undefined)
    .finally(() => upgrading.delete(key));
}

function closeRelayed(c: Connection): void {
  c.close().catch(() => {
    c.abort(new Error('moved to a direct connection'));
  });
}

function isRelayed(connection: Connection): boolean {
  return !connection.direct;
}
