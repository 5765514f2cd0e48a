import type { Libp2p, PeerId } from '@libp2p/interface';
import { lpStream } from '@libp2p/utils';
import {
  BlobLayout,
  bytesEqual,
  type BlobId,
  type BlobStore,
  type KithClient,
  type MailboxKey,
  type RoomId,
} from '@kith/core';
import { BlobUpload, type RelayUploadOutcome, type UploadProgress } from '../media/blob-upload.ts';
import {
  decodeRelayBlobResponse,
  encodeRelayBlobRequest,
  MAX_BLOB_STORE_FRAME,
  signBlobClose,
  signBlobDelete,
  signBlobPut,
  type RelayBlobLimits,
  type RelayBlobRequest,
  type RelayBlobResponse,
} from '../media/relay-blob-wire.ts';
import { Protocols } from '../net/protocols.ts';

/** How long a relay may stay silent during an exchange before it is given up. */
const IDLE_MS = 60_000;
/** Record bytes an upload sends ahead of the relay's acknowledgements. */
const IN_FLIGHT_BYTES = 1024 * 1024;
/** Older epochs of a room closed on its relays when a member is removed. */
const CLOSED_EPOCHS = 8;

/** A blob as uploaded: its name and how its records are laid out. */
export interface UploadedBlob {
  readonly id: BlobId;
  readonly size: number;
  readonly recordSize: number;
}

interface RelayBlobsParts {
  readonly client: KithClient;
  readonly libp2p: Libp2p;
  readonly store: BlobStore;
  /** The room's relays that are reachable now (docs/PROTOCOL.md §12.5). */
  readonly relaysOf: (roomId: RoomId) => Promise<readonly PeerId[]>;
}

/**
 * This device's use of its rooms' relay blob stores (docs/PROTOCOL.md §13.1): uploads signed by
 * the room's newest epoch mailbox key, deletes, and closing the epochs a removed member still
 * holds the keys of, so that it uploads nothing more.
 */
export class RelayBlobs {
  readonly #parts: RelayBlobsParts;
  readonly #stopListening: () => void;

  constructor(parts: RelayBlobsParts) {
    this.#parts = parts;
    this.#stopListening = parts.client.on('membership', (event) => {
      if (event.removed.length > 0) void this.closeOlderEpochs(event.roomId).catch(() => undefined);
    });
  }

  /** Stops closing epochs on removals (the device is closing). */
  close(): void {
    this.#stopListening();
  }

  /** The room's relays, for downloads. */
  relaysOf(roomId: RoomId): Promise<readonly PeerId[]> {
    return this.#parts.relaysOf(roomId);
  }

  /** Sends a stored blob to every relay of the room, resuming after what each holds. */
  upload(roomId: RoomId, blob: UploadedBlob): BlobUpload {
    return new BlobUpload(async (signal, progress) => {
      const relays = await this.#parts.relaysOf(roomId);
      return Promise.all(relays.map((r) => this.#uploadTo(r, roomId, blob, signal, progress)));
    });
  }

  /** What `relay` states it accepts, asked before an upload (a put's answer repeats it). */
  async limits(relay: PeerId): Promise<RelayBlobLimits> {
    const response = await this.#exchange(relay, { type: 'limits' }, AbortSignal.timeout(IDLE_MS));
    if (response.type !== 'limits') throw new Error(`relay ${relay.toString()} stated no limits`);
    return response.limits;
  }

  /**
   * Asks every relay of the room to drop the blob (a retracted or expired message): signed by
   * the kept epoch key it was stored under (each is tried, newest first). Resolves to the
   * relays that dropped it.
   */
  async delete(roomId: RoomId, id: BlobId): Promise<string[]> {
    const keys = await this.#keys(roomId);
    const dropped = new Set<string>();
    for (const relay of await this.#parts.relaysOf(roomId)) {
      for (const key of [...keys].reverse()) {
        const signature = signBlobDelete(key, relay.toString(), id);
        const request = { type: 'delete', mailbox: key.keyPair.publicKey, id, signature } as const;
        const response = await this.#exchange(relay, request, AbortSignal.timeout(IDLE_MS)).catch(
          () => undefined,
        );
        if (response?.type === 'ok') dropped.add(relay.toString());
      }
    }
    return [...dropped];
  }

  /** Tells the room's relays to take no more uploads under the keys of its older epochs. */
  async closeOlderEpochs(roomId: RoomId): Promise<void> {
    const older = (await this.#keys(roomId)).slice(0, -1).slice(-CLOSED_EPOCHS);
    for (const relay of await this.#parts.relaysOf(roomId)) {
      for (const key of older) {
        const signature = signBlobClose(key, relay.toString());
        const request = { type: 'close', mailbox: key.keyPair.publicKey, signature } as const;
        await this.#exchange(relay, request, AbortSignal.timeout(IDLE_MS)).catch(() => undefined);
      }
    }
  }

  async #uploadTo(
    relay: PeerId,
    roomId: RoomId,
    blob: UploadedBlob,
    signal: AbortSignal,
    progress: (p: UploadProgress) => void,
  ): Promise<RelayUploadOutcome> {
    const name = relay.toString();
    let tried: Uint8Array | undefined;
    // A device still on an epoch another member closed (a removal it has not seen yet) tries
    // again once with the newest key it then holds.
    for (let attempt = 0; attempt < 2; attempt++) {
      const key = (await this.#keys(roomId)).at(-1);
      if (key === undefined)
        return { relay: name, status: 'refused', code: 'UNAUTHORIZED', message: 'not a member' };
      if (tried !== undefined && bytesEqual(tried, key.keyPair.publicKey)) break;
      tried = key.keyPair.publicKey;
      try {
        const outcome = await this.#put(relay, key, blob, signal, progress);
        if (outcome.status !== 'refused' || outcome.code !== 'CLOSED') return outcome;
        await this.#parts.client.idle();
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        return {
          relay: name,
          status: 'failed',
          message: error instanceof Error ? error.message : String(error),
        };
      }
    }
    return {
      relay: name,
      status: 'refused',
      code: 'CLOSED',
      message: 'the room’s epoch is over on this relay',
    };
  }

  async #put(
    relay: PeerId,
    key: MailboxKey,
    blob: UploadedBlob,
    signal: AbortSignal,
    progress: (p: UploadProgress) => void,
  ): Promise<RelayUploadOutcome> {
    const name = relay.toString();
    const layout = new BlobLayout(blob.size, blob.recordSize);
    const request: RelayBlobRequest = {
      type: 'put',
      mailbox: key.keyPair.publicKey,
      ...blob,
      signature: signBlobPut(key, name, blob),
    };
    const within = (): AbortSignal => AbortSignal.any([signal, AbortSignal.timeout(IDLE_MS)]);
    const stream = await this.#parts.libp2p.dialProtocol(relay, Protocols.blobStore, {
      signal: within(),
      runOnLimitedConnection: false,
    });
    const lp = lpStream(stream, { maxDataLength: MAX_BLOB_STORE_FRAME });
    try {
      await lp.write(encodeRelayBlobRequest(request), { signal: within() });
      const answer = decodeRelayBlobResponse((await lp.read({ signal: within() })).subarray());
      if (answer.type === 'refused') return { relay: name, status: 'refused', ...answer };
      if (answer.type !== 'send') throw new Error('the relay answered a put with no go-ahead');
      progress({ relay: name, records: answer.from, totalRecords: layout.count });
      // Records go ahead of the relay's acknowledgements by at most IN_FLIGHT_BYTES (one at
      // least), each read from this device's store as it goes: never the whole file in memory.
      const window = Math.max(1, Math.floor(IN_FLIGHT_BYTES / layout.cipherLength(0)));
      let held = answer.from;
      let end: RelayBlobResponse | undefined;
      const awaitAck = async (): Promise<void> => {
        const ack = decodeRelayBlobResponse((await lp.read({ signal: within() })).subarray());
        if (ack.type !== 'held') {
          end = ack;
          return;
        }
        if (ack.held !== held + 1) throw new Error('the relay acknowledged records out of order');
        held = ack.held;
        progress({ relay: name, records: held, totalRecords: layout.count });
      };
      for (let i = answer.from; i < layout.count && end === undefined; i++) {
        const record = await this.#parts.store.getRecord(blob.id, i);
        if (record === undefined) throw new Error(`record ${i} of the blob is not on this device`);
        await lp.write(record, { signal: within() });
        if (i + 1 - held >= window) await awaitAck();
      }
      while (end === undefined && held < layout.count) await awaitAck();
      end ??= decodeRelayBlobResponse((await lp.read({ signal: within() })).subarray());
      await stream.close({ signal: within() }).catch(() => undefined);
      if (end.type === 'refused') return { relay: name, status: 'refused', ...end };
      return { relay: name, status: 'stored', held: answer.from, limits: answer.limits };
    } finally {
      if (stream.status === 'open') stream.abort(new Error('the upload was abandoned'));
    }
  }

  async #exchange(
    relay: PeerId,
    request: RelayBlobRequest,
    signal: AbortSignal,
  ): Promise<RelayBlobResponse> {
    const stream = await this.#parts.libp2p.dialProtocol(relay, Protocols.blobStore, {
      signal,
      runOnLimitedConnection: false,
    });
    const lp = lpStream(stream, { maxDataLength: MAX_BLOB_STORE_FRAME });
    try {
      await lp.write(encodeRelayBlobRequest(request), { signal });
      const response = decodeRelayBlobResponse((await lp.read({ signal })).subarray());
      await stream.close({ signal }).catch(() => undefined);
      return response;
    } finally {
      if (stream.status === 'open') stream.abort(new Error('the exchange was abandoned'));
    }
  }

  async #keys(roomId: RoomId): Promise<readonly MailboxKey[]> {
    return (await this.#parts.client.mailboxKeys(roomId))?.keys ?? [];
  }
}
