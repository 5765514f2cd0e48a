import type { Connection, Libp2p, PeerId, Stream } from '@libp2p/interface';
import type { Multiaddr } from '@multiformats/multiaddr';
import { lpStream } from '@libp2p/utils';

/** Limits of one request/response exchange. */
export interface ExchangeLimits {
  /** Largest request read; a larger one ends the exchange. */
  readonly maxRequestBytes: number;
  /** Largest response read; a larger one ends the exchange. */
  readonly maxResponseBytes: number;
  /** How long the whole exchange may take. */
  readonly timeoutMs: number;
}

/**
 * Serves a one-shot request/response protocol: one length-prefixed request, one length-prefixed
 * response, then the stream closes. A handler returning undefined answers nothing (refusal).
 */
export async function serveRequests(
  libp2p: Libp2p,
  protocol: string,
  limits: ExchangeLimits,
  handler: (request: Uint8Array, from: PeerId) => Promise<Uint8Array | undefined>,
): Promise<void> {
  await libp2p.handle(
    protocol,
    async (stream: Stream, connection: Connection) => {
      const signal = AbortSignal.timeout(limits.timeoutMs);
      const lp = lpStream(stream, { maxDataLength: limits.maxRequestBytes });
      try {
        const request = (await lp.read({ signal })).subarray();
        const response = await handler(request, connection.remotePeer);
        if (response !== undefined) await lp.write(response, { signal });
        await stream.close({ signal });
      } catch (error) {
        stream.abort(error instanceof Error ? error : new Error(String(error)));
      }
    },
    { runOnLimitedConnection: true, maxInboundStreams: 8 },
  );
}

/**
 * Sends one request and reads one response; throws when the peer refuses or times out. A
 * request cut because its relayed connection closed (either end moves off the relay once a
 * direct connection is identified, see relayed-connections.ts) is sent once more, on the
 * connection that is left: that is no refusal.
 */
export async function sendRequest(
  libp2p: Libp2p,
  peer: PeerId | Multiaddr,
  protocol: string,
  request: Uint8Array,
  limits: ExchangeLimits,
): Promise<Uint8Array> {
  const signal = AbortSignal.timeout(limits.timeoutMs);
  for (let attempt = 0; ; attempt++) {
    const connection = await libp2p.dial(peer, { signal });
    try {
      return await requestOn(connection, protocol, request, limits, signal);
    } catch (error) {
      const movedOff = !connection.direct && connection.status !== 'open';
      if (attempt > 0 || !movedOff || signal.aborted) throw error;
    }
  }
}

async function requestOn(
  connection: Connection,
  protocol: string,
  request: Uint8Array,
  limits: ExchangeLimits,
  signal: AbortSignal,
): Promise<Uint8Array> {
  const stream = await connection.newStream(protocol, { signal, runOnLimitedConnection: true });
  const lp = lpStream(stream, { maxDataLength: limits.maxResponseBytes });
  try {
    await lp.write(request, { signal });
    const response = (await lp.read({ signal })).subarray();
    await stream.close({ signal }).catch(() => undefined);
    return response.slice();
  } catch (error) {
    stream.abort(error instanceof Error ? error : new Error(String(error)));
    throw error;
  }
}

/** A request/response protocol's encoding, for `exchange`. */
export interface ExchangeCodec<Q, S> {
  readonly protocol: string;
  readonly limits: ExchangeLimits;
  encode(request: Q): Uint8Array;
  decode(response: Uint8Array): S;
}

/** `sendRequest` with the protocol's own encoding on both sides. */
export async function exchange<Q, S>(
  libp2p: Libp2p,
  peer: PeerId | Multiaddr,
  codec: ExchangeCodec<Q, S>,
  request: Q,
): Promise<S> {
  return codec.decode(
    await sendRequest(libp2p, peer, codec.protocol, codec.encode(request), codec.limits),
  );
}
