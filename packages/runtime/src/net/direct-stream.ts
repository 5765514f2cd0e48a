import type { Connection, Libp2p, PeerId, Stream } from '@libp2p/interface';
import { Protocols } from './protocols.ts';

/**
 * Opens the direct protocol on the peer's best open connection. While a relayed connection is
 * handed over to a direct one, the peer may hold two connections for a moment, and the one
 * chosen may be closing or already dead at the other end (a duplicate WebRTC connection the
 * other side dropped): a stream there never opens. So an attempt ends when its connection
 * closes, and a failed attempt is tried once more on another open connection to the peer.
 */
export async function openDirectStream(
  libp2p: Libp2p,
  peer: PeerId,
  timeoutMs: number,
): Promise<Stream> {
  const failed = new Set<string>();
  let lastError: unknown;
  for (let attempt = 0; attempt < 2; attempt++) {
    const connection = bestConnection(libp2p, peer, failed);
    if (connection === undefined) {
      if (attempt > 0) break;
      // No unlimited connection: libp2p's dial decides (it may reuse a limited one, or dial).
      return libp2p.dialProtocol(peer, Protocols.direct, {
        runOnLimitedConnection: true,
        signal: AbortSignal.timeout(timeoutMs),
      });
    }
    try {
      return await openOn(libp2p, connection, timeoutMs);
    } catch (error) {
      failed.add(connection.id);
      lastError = error;
    }
  }
  throw lastError;
}

/** The connection libp2p would pick (open, unlimited, direct first), minus `skip`. */
function bestConnection(
  libp2p: Libp2p,
  peer: PeerId,
  skip: ReadonlySet<string>,
): Connection | undefined {
  const open = libp2p
    .getConnections(peer)
    .filter((c) => c.status === 'open' && c.limits === undefined && !skip.has(c.id));
  return open.find((c) => c.direct) ?? open[0];
}

/** A stream on one connection, given up when the connection closes or the timeout passes. */
async function openOn(libp2p: Libp2p, connection: Connection, timeoutMs: number): Promise<Stream> {
  const closed = new AbortController();
  const onClose = (event: CustomEvent<Connection>): void => {
    if (event.detail === connection) closed.abort(new Error('the connection closed'));
  };
  libp2p.addEventListener('connection:close', onClose);
  try {
    return await connection.newStream(Protocols.direct, {
      runOnLimitedConnection: true,
      signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), closed.signal]),
    });
  } finally {
    libp2p.removeEventListener('connection:close', onClose);
  }
}
