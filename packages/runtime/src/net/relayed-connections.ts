import type { Connection, IdentifyResult, Libp2p } from '@libp2p/interface';
import type { Identify } from '@libp2p/identify';

// A type alias, not an interface: libp2p's ServiceMap needs the implicit index signature.
// eslint-disable-next-line @typescript-eslint/consistent-type-definitions
type Services = { identify: Identify };

/**
 * Moves a peer's traffic off the relay once a direct connection to it exists (WebRTC upgraded
 * from a relayed connection, a hole punch, a direct dial). libp2p keeps the relayed connection
 * open beside the direct one, and gossipsub keeps its streams where it opened them first: on
 * the relay, which would then carry the conversation for good. So:
 * - once a direct connection is identified, the relayed connections to that peer are closed;
 * - once a relayed connection closes (by either end) while a direct one is open, identify runs
 *   again on the direct one, which makes gossipsub (every topology) open its streams there.
 * Returns a function that stops it.
 */
export function moveOffRelays(libp2p: Libp2p<Services>): () => void {
  const reidentifying = new Set<string>();
  const onIdentify = (event: CustomEvent<IdentifyResult>): void => {
    const { peerId, connection } = event.detail;
    if (isRelayed(connection) || connection.status !== 'open') return;
    for (const c of libp2p.getConnections(peerId)) {
      if (!isRelayed(c)) continue;
      c.close().catch(() => {
        c.abort(new Error('moved to a direct connection'));
      });
    }
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

function isRelayed(connection: Connection): boolean {
  return !connection.direct;
}
