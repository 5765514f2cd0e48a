import type { Connection, Libp2p, PeerId } from '@libp2p/interface';
import { lpStream } from '@libp2p/utils';
import {
  BlobError,
  BlobProtocolLimits,
  decodeBlobRequest,
  encodeBlobRequest,
  type BlobRequest,
  type BlobStore,
} from '@kith/core';
import { Protocols } from '../net/protocols.ts';
import { RequestBudget } from '../net/rate-limit.ts';

/** How long one request may take before the exchange is dropped. */
const EXCHANGE_TIMEOUT_MS = 60_000;
/** Requests per minute served to one peer (16 records each: 1 GiB a minute at 256 KiB) and to all. */
const REQUESTS_PER_MINUTE_PER_PEER = 256;
const REQUESTS_PER_MINUTE = 4096;

/** The part of a store that serving reads: a device's `BlobStore`, or a relay's blob store. */
export type BlobSource = Pick<BlobStore, 'getRecord'>;

/**
 * Serves `/kith/blob/1.0.0` from a store: the records asked for, one frame each, in order, up
 * to the first one missing, then an empty frame; a peer over its request budget gets only the
 * empty frame. Never over a relay: a circuit relay's data budget is far below one record
 * window, and a relay that sets no limits would carry whole files (and be charged for them).
 * libp2p refuses limited connections (`runOnLimitedConnection: false`), but a circuit without
 * limits does not count as limited, so a relayed connection is refused here by its address.
 */
export async function serveBlobs(libp2p: Libp2p, store: BlobSource): Promise<void> {
  const budget = new RequestBudget(REQUESTS_PER_MINUTE_PER_PEER, REQUESTS_PER_MINUTE);
  await libp2p.handle(
    Protocols.blob,
    async (stream, connection) => {
      if (!connection.direct) {
        stream.abort(new BlobError('BLOB_PROTOCOL', 'blobs are not served over a relay'));
        return;
      }
      const signal = AbortSignal.timeout(EXCHANGE_TIMEOUT_MS);
      const lp = lpStream(stream, { maxDataLength: BlobProtocolLimits.maxRequestBytes });
      try {
        const request = decodeBlobRequest((await lp.read({ signal })).subarray());
        // Over budget: nothing served, as if the records were missing; the asker goes elsewhere.
        const count = budget.take(connection.remotePeer.toString()) ? request.count : 0;
        for (let i = request.from; i < request.from + count; i++) {
          const record = await store.getRecord(request.id, i);
          if (record === undefined) break;
          await lp.write(record, { signal });
        }
        await lp.write(new Uint8Array(), { signal });
        await stream.close({ signal });
      } catch (error) {
        stream.abort(error instanceof Error ? error : new Error(String(error)));
      }
    },
    { runOnLimitedConnection: false, maxInboundStreams: 16 },
  );
}

/**
 * Asks `peer` for a range of records; gives each as it arrives (the caller checks it). Ends
 * early when the peer has no more; throws on a broken exchange or more records than asked.
 */
export async function* fetchRecords(
  libp2p: Libp2p,
  peer: PeerId,
  request: BlobRequest,
  signal: AbortSignal,
): AsyncGenerator<Uint8Array> {
  const timeout = AbortSignal.any([signal, AbortSignal.timeout(EXCHANGE_TIMEOUT_MS)]);
  const connection = await directConnection(libp2p, peer, timeout);
  const stream = await connection.newStream(Protocols.blob, {
    signal: timeout,
    runOnLimitedConnection: false,
  });
  const lp = lpStream(stream, { maxDataLength: BlobProtocolLimits.maxRecordBytes });
  try {
    await lp.write(encodeBlobRequest(request), { signal: timeout });
    for (let n = 0; ; n++) {
      const frame = (await lp.read({ signal: timeout })).subarray();
      if (frame.length === 0) break;
      if (n === request.count) {
        throw new BlobError('BLOB_PROTOCOL', 'the peer sent more records than asked for');
      }
      yield frame;
    }
    await stream.close({ signal: timeout }).catch(() => undefined);
  } catch (error) {
    stream.abort(error instanceof Error ? error : new Error(String(error)));
    throw error;
  } finally {
    // A consumer that stops early (a bad record) leaves the stream: drop it.
    if (stream.status === 'open') stream.abort(new Error('the record window was abandoned'));
  }
}

/**
 * An open connection to `peer` that does not run through a relay: one already open, else a
 * dial. Only a relayed one (the peer is reachable only through a relay for now): an error, not
 * a BlobError, so the download asks someone else and may come back to this peer later.
 */
async function directConnection(
  libp2p: Libp2p,
  peer: PeerId,
  signal: AbortSignal,
): Promise<Connection> {
  const open = libp2p.getConnections(peer).find((c) => c.direct && c.status === 'open');
  if (open !== undefined) return open;
  const dialled = await libp2p.dial(peer, { signal });
  if (!dialled.direct) {
    throw new Error(
      `${peer.toString()} is reachable only through a relay: blobs are not fetched so`,
    );
  }
  return dialled;
}
