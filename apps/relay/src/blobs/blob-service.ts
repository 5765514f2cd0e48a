import type { Connection, Stream } from '@libp2p/interface';
import { lpStream } from '@libp2p/utils';
import { BlobProtocolLimits, KvStore, toHex, type BlobId } from '@kith/core';
import {
  decodeRelayBlobRequest,
  encodeRelayBlobResponse,
  Protocols,
  RequestBudget,
  serveBlobs,
  verifyBlobRequest,
  type RelayBlobRefusal,
  type RelayBlobRequest,
  type RelayBlobResponse,
} from '@kith/node';
import type { RelayConfig } from '../config/settings.ts';
import { describeError } from '../errors.ts';
import type { Counter, Gauge } from '../metrics/registry.ts';
import type { Relay, RelayService } from '../service.ts';
import { BlobVault } from './blob-vault.ts';
import { writerOf } from './writer.ts';

/** How long the relay waits for the next frame of an exchange before dropping it. */
const IDLE_MS = 60_000;
/** How often expired blobs are deleted. */
const SWEEP_MS = 15 * 60_000;

type LpStream = ReturnType<typeof lpStream>;

interface BlobMetrics {
  readonly stored: Gauge;
  readonly bytesIn: Counter;
  readonly recordsOut: Counter;
  readonly blobs: Counter<'result'>;
}

/**
 * The relay's blob store (docs/PROTOCOL.md §13.1): members upload a blob's records under their
 * room epoch's mailbox key (`/kith/blob-store/1.0.0`), so that members who were offline fetch
 * them later over `/kith/blob/1.0.0`, as from a device. Records arrive and are stored one at
 * a time, never a whole file in memory.
 */
export class BlobStoreService implements RelayService {
  readonly name = 'blob';
  readonly #config: RelayConfig;
  #relay: Relay | undefined;
  #vault: BlobVault | undefined;
  #sweeper: ReturnType<typeof setInterval> | undefined;
  /** Uploads being received, by staging name: one at a time each. */
  readonly #active = new Set<string>();

  constructor(config: RelayConfig) {
    this.#config = config;
  }

  async start(relay: Relay): Promise<void> {
    this.#relay = relay;
    const kv = await KvStore.open(relay.db.sublevel(this.name, KvStore.databaseOptions));
    const { blob, rateLimit } = this.#config;
    const vault = new BlobVault(kv, {
      maxBlobBytes: blob.maxFileBytes,
      totalBytes: blob.totalQuotaBytes,
      roomQuotaBytes: blob.roomQuotaBytes,
      writerQuotaBytes: blob.writerQuotaBytes,
      retentionMs: blob.retentionMs,
    });
    this.#vault = vault;
    const metrics = registerBlobMetrics(relay);
    metrics.stored.set(await vault.load());
    const budget = new RequestBudget(rateLimit.peerRequestsPerMinute, rateLimit.requestsPerMinute);
    const log = relay.log.child({ service: this.name });

    await serveBlobs(relay.libp2p, {
      getRecord: async (id: BlobId, index: number) => {
        const record = await vault.getRecord(id, index);
        if (record !== undefined) metrics.recordsOut.inc();
        return record;
      },
    });
    await relay.libp2p.handle(
      Protocols.blobStore,
      async (stream: Stream, connection: Connection) => {
        const lp = lpStream(stream, { maxDataLength: BlobProtocolLimits.maxRecordBytes });
        try {
          // The relay is dialled directly; a relayed connection here is someone else's circuit.
          if (!connection.direct) throw new Error('blob uploads are not taken over a relay');
          const first = (await lp.read({ signal: AbortSignal.timeout(IDLE_MS) })).subarray();
          let request: RelayBlobRequest | undefined;
          let response: RelayBlobResponse = refusal('MALFORMED', 'no request');
          try {
            request = decodeRelayBlobRequest(first);
          } catch (error) {
            response = refusal('MALFORMED', describeError(error));
          }
          if (request !== undefined) {
            response = !budget.take(connection.remotePeer.toString())
              ? refusal('RATE_LIMITED', 'too many requests: slow down')
              : await this.#handle(request, connection, lp, metrics);
          }
          if (response.type === 'refused') {
            relay.stats.rejections.labels({ reason: `blob_${response.code.toLowerCase()}` }).inc();
          }
          metrics.stored.set(vault.storedBytes);
          await lp.write(encodeRelayBlobResponse(response), {
            signal: AbortSignal.timeout(IDLE_MS),
          });
          await stream.close({ signal: AbortSignal.timeout(IDLE_MS) });
        } catch (error) {
          metrics.stored.set(vault.storedBytes);
          stream.abort(error instanceof Error ? error : new Error(String(error)));
        }
      },
      { runOnLimitedConnection: false, maxInboundStreams: 16 },
    );

    const sweep = (): void => {
      vault
        .sweep(Date.now())
        .then((freed) => {
          metrics.stored.set(vault.storedBytes);
          if (freed > 0) log.info('expired blobs deleted', { bytes: freed });
        })
        .catch((error: unknown) => {
          log.warn('blob sweep failed', { error: describeError(error) });
        });
    };
    sweep();
    this.#sweeper = setInterval(sweep, SWEEP_MS);
    this.#sweeper.unref();
    log.info('blob store ready', { ...vault.limits() });
  }

  async stop(): Promise<void> {
    if (this.#sweeper !== undefined) clearInterval(this.#sweeper);
    await this.#relay?.libp2p.unhandle([Protocols.blob, Protocols.blobStore]);
  }

  async #handle(
    request: RelayBlobRequest,
    connection: Connection,
    lp: LpStream,
    metrics: BlobMetrics,
  ): Promise<RelayBlobResponse> {
    const vault = this.#vault;
    const relay = this.#relay;
    if (vault === undefined || relay === undefined) return refusal('BUSY', 'starting');
    if (request.type === 'limits') return { type: 'limits', limits: vault.limits() };
    // The whole of the access control: the key of the room epoch the request names signed it,
    // for this relay. Only that epoch's members hold it (docs/PROTOCOL.md §12.1).
    if (!verifyBlobRequest(request, relay.peerId)) {
      return refusal('UNAUTHORIZED', 'not signed by the mailbox key it names, for this relay');
    }
    const t = toHex(request.mailbox);
    if (request.type === 'close') {
      await vault.close(t, Date.now());
      relay.log.debug('blob uploads closed for a mailbox key', { service: this.name, mailbox: t });
      return { type: 'ok' };
    }
    if (request.type === 'delete') {
      if (!(await vault.delete(request.id, t))) {
        return refusal('UNAUTHORIZED', 'that key’s room stored no such blob here');
      }
      metrics.blobs.labels({ result: 'deleted' }).inc();
      return { type: 'ok' };
    }
    const writer = writerOf(connection.remoteAddr);
    const admitted = await vault.admit(t, writer, request, Date.now());
    if (admitted.kind === 'refused') {
      const l = vault.limits();
      return refusal(
        admitted.code,
        `${admitted.message} (largest file ${l.maxBlobBytes} B, free ${l.freeBytes} B of ${l.totalBytes} B)`,
      );
    }
    const { upload } = admitted;
    const { layout } = upload;
    const signal = (): AbortSignal => AbortSignal.timeout(IDLE_MS);
    const complete = upload.from === layout.count;
    if (!complete && this.#active.has(upload.storage)) {
      return refusal('BUSY', 'that upload is under way');
    }
    await lp.write(
      encodeRelayBlobResponse({ type: 'send', from: upload.from, limits: vault.limits() }),
      { signal: signal() },
    );
    if (complete) {
      metrics.blobs.labels({ result: 'deduplicated' }).inc();
      return { type: 'ok' };
    }
    this.#active.add(upload.storage);
    try {
      for (let i = upload.from; i < layout.count; i++) {
        const record = (await lp.read({ signal: signal() })).subarray();
        if (record.length !== layout.cipherLength(i)) {
          return refusal(
            'MALFORMED',
            `record ${i} is ${record.length} bytes, not ${layout.cipherLength(i)}`,
          );
        }
        await vault.putRecord(upload, i, record);
        metrics.bytesIn.inc(record.length);
        // The uploader keeps a bounded number of records unacknowledged: without it, libp2p's
        // growing stream window lets it run ahead of the disk until the read buffer overflows.
        await lp.write(encodeRelayBlobResponse({ type: 'held', held: i + 1 }), {
          signal: signal(),
        });
      }
    } finally {
      this.#active.delete(upload.storage);
    }
    if (!(await vault.finish(upload, t))) {
      return refusal('HASH_MISMATCH', 'the records do not hash to the blob’s name');
    }
    metrics.blobs.labels({ result: 'stored' }).inc();
    return { type: 'ok' };
  }
}

function refusal(code: RelayBlobRefusal, message: string): RelayBlobResponse {
  return { type: 'refused', code, message };
}

function registerBlobMetrics(relay: Relay): BlobMetrics {
  return {
    stored: relay.metrics.gauge({
      name: 'kith_relay_blob_stored_bytes',
      help: 'Ciphertext bytes of blobs held or reserved for uploads under way.',
    }),
    bytesIn: relay.metrics.counter({
      name: 'kith_relay_blob_bytes_in_total',
      help: 'Blob record bytes received in uploads.',
    }),
    recordsOut: relay.metrics.counter({
      name: 'kith_relay_blob_records_out_total',
      help: 'Blob records served to devices.',
    }),
    blobs: relay.metrics.counter<'result'>({
      name: 'kith_relay_blobs_total',
      help: 'Blob uploads and deletes, by result (stored, deduplicated, deleted).',
      labelNames: ['result'],
    }),
  };
}
