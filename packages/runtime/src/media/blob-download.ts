import type { Libp2p, PeerId } from '@libp2p/interface';
import {
  BlobError,
  BlobOpener,
  BlobProtocolLimits,
  blobHashOf,
  blobSha256,
  bytesEqual,
  type AeadFactory,
  type Attachment,
  type BlobStore,
} from '@kith/core';
import { fetchRecords } from './blob-wire.ts';

/** How far a download is; `records` counts those verified, kept ones included. */
export interface DownloadProgress {
  readonly records: number;
  readonly totalRecords: number;
  /** Plaintext bytes verified so far. */
  readonly bytes: number;
  readonly totalBytes: number;
  /** Records already kept from an earlier, interrupted download of the same blob. */
  readonly resumedRecords: number;
}

/** A peer that served a record failing its check; it is not asked again by this download. */
export interface RefusedPeer {
  readonly peer: PeerId;
  readonly error: BlobError;
}

/** How a download runs: how many peers at once, and how often each record is retried. */
export interface DownloadOptions {
  /** Peers fetched from at once (default 3). */
  readonly parallel?: number;
  /** Times each record is asked of every peer before giving up (default 3). */
  readonly rounds?: number;
}

interface Window {
  readonly from: number;
  readonly count: number;
  readonly tries: number;
}

interface DownloadParts {
  readonly libp2p: Libp2p;
  readonly store: BlobStore;
  readonly aead: AeadFactory;
  /** Peers that may hold the blob, the likeliest first. */
  readonly peers: readonly PeerId[];
  /** Relays that may hold it too, asked after the peers. */
  readonly relays?: Promise<readonly PeerId[]>;
}

/**
 * One file being fetched: records from several peers at once, each checked as it arrives and
 * kept, so a cancelled or failed download resumes after the records it already has. A peer
 * serving a bad record is dropped and the record asked of another. Done once the whole
 * ciphertext hashes to the blob's name.
 */
export class BlobDownload {
  readonly attachment: Attachment;
  /** Resolves when the blob is complete in the store; rejects with a BlobError. */
  readonly done: Promise<void>;
  readonly #parts: DownloadParts;
  readonly #options: DownloadOptions;
  readonly #abort = new AbortController();
  readonly #progress = new Set<(p: DownloadProgress) => void>();
  readonly #refused = new Set<(r: RefusedPeer) => void>();
  readonly #bad = new Set<string>();
  #peers: readonly PeerId[] = [];
  #records = 0;
  #bytes = 0;
  #resumed = 0;

  constructor(attachment: Attachment, parts: DownloadParts, options: DownloadOptions = {}) {
    this.attachment = attachment;
    this.#parts = parts;
    this.#options = options;
    this.done = this.#run().catch((error: unknown) => {
      // One worker failing stops the others.
      if (!this.#abort.signal.aborted) this.#abort.abort(error);
      throw error;
    });
    this.done.catch(() => undefined); // the caller may only listen to events
  }

  /** Calls `listener` as verified records are kept; returns a function that stops it. */
  onProgress(listener: (p: DownloadProgress) => void): () => void {
    this.#progress.add(listener);
    return () => this.#progress.delete(listener);
  }

  /** Calls `listener` when a peer is dropped for a bad record; returns a function that stops it. */
  onRefused(listener: (r: RefusedPeer) => void): () => void {
    this.#refused.add(listener);
    return () => this.#refused.delete(listener);
  }

  /** Stops fetching; `done` rejects with BLOB_CANCELLED. Verified records stay kept. */
  cancel(): void {
    this.#abort.abort(new BlobError('BLOB_CANCELLED', 'the download was cancelled'));
  }

  async #run(): Promise<void> {
    const { store, aead } = this.#parts;
    const { id } = this.attachment;
    const opener = await BlobOpener.create(aead, this.attachment);
    const { layout } = opener;
    if ((await store.info(id))?.recordCount !== undefined) {
      this.#count(layout.count, layout.size, true);
      return;
    }
    const missing: number[] = [];
    for (let i = 0; i < layout.count; i++) {
      if ((await store.getRecord(id, i)) === undefined) missing.push(i);
      else this.#count(1, layout.plainLength(i), true);
    }
    const relays = (await this.#parts.relays) ?? [];
    this.#peers = [
      ...this.#parts.peers,
      ...relays.filter((r) => !this.#parts.peers.some((p) => p.equals(r))),
    ];
    const queue = windowsOf(missing);
    while (queue.length > 0) {
      const workers = Math.min(this.#options.parallel ?? 3, this.#peers.length);
      if (workers === 0) throw new BlobError('BLOB_UNAVAILABLE', 'no device that may have it');
      await Promise.all(Array.from({ length: workers }, (_, k) => this.#work(k, queue, opener)));
    }
    await this.#checkHash(layout.count);
    await store.setComplete(id, layout.count);
  }

  /** Takes windows off the queue until it is empty; worker `k` starts with the k-th peer. */
  async #work(k: number, queue: Window[], opener: BlobOpener): Promise<void> {
    const peers = this.#peers;
    const rounds = this.#options.rounds ?? 3;
    for (let turn = k; ; turn++) {
      const window = queue.shift();
      if (window === undefined) return;
      this.#checkCancelled();
      const good = peers.filter((p) => !this.#bad.has(p.toString()));
      const peer = good[turn % Math.max(1, good.length)];
      if (peer === undefined || window.tries >= peers.length * rounds) {
        throw new BlobError('BLOB_UNAVAILABLE', `no device served record ${window.from}`, {
          index: window.from,
        });
      }
      const got = await this.#fetch(peer, window, opener);
      if (got < window.count) {
        queue.push({ from: window.from + got, count: window.count - got, tries: window.tries + 1 });
      }
    }
  }

  /** Fetches a window from one peer; how many records of it were verified and kept. */
  async #fetch(peer: PeerId, window: Window, opener: BlobOpener): Promise<number> {
    const { libp2p, store } = this.#parts;
    const { id } = this.attachment;
    let got = 0;
    try {
      const request = { id, from: window.from, count: window.count };
      for await (const record of fetchRecords(libp2p, peer, request, this.#abort.signal)) {
        const index = window.from + got;
        await opener.open(index, record);
        await store.putRecord(id, index, record);
        got++;
        this.#count(1, opener.layout.plainLength(index), false);
      }
    } catch (error) {
      this.#checkCancelled();
      // A bad record, or more records than asked for: the peer is not asked again.
      if (error instanceof BlobError) {
        this.#bad.add(peer.toString());
        for (const l of this.#refused) l({ peer, error });
      }
      // Anything else (unreachable, reset, timeout): the rest is asked of another peer.
    }
    return got;
  }

  async #checkHash(count: number): Promise<void> {
    const { store } = this.#parts;
    const { id } = this.attachment;
    const hash = blobSha256();
    for (let i = 0; i < count; i++) {
      const record = await store.getRecord(id, i);
      if (record === undefined) throw new BlobError('BLOB_TRUNCATED', `record ${i} is missing`);
      hash.update(record);
    }
    if (!bytesEqual(hash.digest(), blobHashOf(id))) {
      // Every record authenticated, so the sender sealed other ciphertext than it named.
      await store.delete(id);
      throw new BlobError('BLOB_HASH_MISMATCH', 'the ciphertext does not hash to the blob ID');
    }
  }

  #checkCancelled(): void {
    if (this.#abort.signal.aborted) throw this.#abort.signal.reason as BlobError;
  }

  #count(records: number, bytes: number, resumed: boolean): void {
    this.#records += records;
    this.#bytes += bytes;
    if (resumed) this.#resumed += records;
    const progress = {
      records: this.#records,
      totalRecords: Math.max(1, Math.ceil(this.attachment.size / this.attachment.recordSize)),
      bytes: this.#bytes,
      totalBytes: this.attachment.size,
      resumedRecords: this.#resumed,
    };
    for (const l of this.#progress) l(progress);
  }
}

/** Missing record indexes as runs of at most one request each. */
function windowsOf(missing: readonly number[]): Window[] {
  const windows: Window[] = [];
  for (const index of missing) {
    const last = windows.at(-1);
    if (
      last !== undefined &&
      last.from + last.count === index &&
      last.count < BlobProtocolLimits.maxRecordsPerRequest
    ) {
      windows[windows.length - 1] = { ...last, count: last.count + 1 };
    } else {
      windows.push({ from: index, count: 1, tries: 0 });
    }
  }
  return windows;
}
