import type { PeerId } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  decodeMailboxResponse,
  encodeMailboxRequest,
  joinKey,
  MailboxLimits,
  signMailboxAuthorization,
  signMailboxPutMany,
  signMailboxRead,
  toHex,
  type KithClient,
  type KvStore,
  type MailboxKey,
  type MailboxRequest,
  type MailboxResponse,
  type RoomId,
} from '@kith/core';
import { NodeError } from '../errors.ts';
import type { DeviceLibp2p } from '../net/device-libp2p.ts';
import type { Libp2pTransport } from '../net/libp2p-transport.ts';
import { Protocols } from '../net/protocols.ts';
import { exchange, type ExchangeCodec, type ExchangeLimits } from '../net/request-response.ts';

/** Limits of the mailbox protocol: a request carries at most 1 MiB of messages. */
export const MAILBOX_EXCHANGE: ExchangeLimits = {
  maxRequestBytes: MailboxLimits.maxDataBytes + 4096,
  maxResponseBytes: MailboxLimits.maxResponseBytes + 64 * 1024,
  timeoutMs: 15_000,
};

const MAILBOX: ExchangeCodec<MailboxRequest, MailboxResponse> = {
  protocol: Protocols.mailbox,
  limits: MAILBOX_EXCHANGE,
  encode: encodeMailboxRequest,
  decode: decodeMailboxResponse,
};

/** Pages fetched from one mailbox in one pass (500 messages each). */
const MAX_PAGES = 200;

interface RoomKeys {
  readonly roomId: RoomId;
  readonly topic: string;
  readonly keys: readonly MailboxKey[];
}

/** The first and the longest wait before trying a relay that could not be reached again. */
const AWAY_FIRST_MS = 30_000;
const AWAY_MAX_MS = 10 * 60_000;

/** Relay addresses already given to the peer store (bounded: rooms name at most 16 each). */
const MAX_KNOWN_ADDRESSES = 4096;

/**
 * This device's use of relay mailboxes (docs/PROTOCOL.md §12): every message it publishes is
 * also put in the room's mailbox on every relay the room's members use (the room records
 * them, §12.5), and on each pass it fetches what arrived there since its cursors, handing it
 * to the engine as if it came by gossip. Before writing, it makes sure the relay accepts the
 * room's current key, vouching for it with an older one.
 */
export class RelayMailboxes {
  readonly #client: KithClient;
  readonly #libp2p: DeviceLibp2p;
  readonly #transport: Libp2pTransport;
  readonly #kv: KvStore;
  readonly #relays: readonly PeerId[];
  readonly #knownAddresses = new Set<string>();
  /**
   * Relays that could not be reached, and until when they are left out: a relay a member named
   * but that is gone must not cost every pass a timeout. Cleared when the relay connects.
   */
  readonly #away = new Map<string, { until: number; waitMs: number }>();
  readonly #onError: (error: unknown) => void;
  /** `relay/topic/key` triples the relay is known to accept. */
  readonly #accepted = new Set<string>();
  readonly #keyCache = new Map<RoomId, { epoch: bigint; keys: RoomKeys }>();
  #writes: Promise<void> = Promise.resolve();
  /** Messages waiting to be put, per topic. */
  readonly #queued = new Map<string, Uint8Array[]>();
  #pass: Promise<void> | undefined;

  constructor(
    parts: {
      client: KithClient;
      libp2p: DeviceLibp2p;
      transport: Libp2pTransport;
      kv: KvStore;
    },
    relays: readonly PeerId[],
    onError: (error: unknown) => void,
  ) {
    this.#client = parts.client;
    this.#libp2p = parts.libp2p;
    this.#transport = parts.transport;
    this.#kv = parts.kv;
    this.#relays = relays;
    this.#onError = onError;
    this.#libp2p.addEventListener('peer:identify', (event) => {
      this.#away.delete(event.detail.peerId.toString());
    });
  }

  get relays(): readonly PeerId[] {
    return this.#relays;
  }

  /**
   * Keeps a copy of a published message on every relay, in the background and in order.
   * Messages that queue up while a put is under way go together in the next one (up to 64).
   */
  mirror(topic: string, data: Uint8Array): void {
    const queue = this.#queued.get(topic) ?? [];
    queue.push(data.slice());
    this.#queued.set(topic, queue);
    if (queue.length > 1) return; // a drain for this topic is already scheduled
    this.#writes = this.#writes.then(() => this.#drain(topic)).catch(this.#onError);
  }

  async #drain(topic: string): Promise<void> {
    for (let round = 0; round < 10_000; round++) {
      const queue = this.#queued.get(topic) ?? [];
      if (queue.length === 0) {
        this.#queued.delete(topic);
        return;
      }
      // As many as fit one request: at most 64, and at most 1 MiB together (one always goes).
      let count = 0;
      let bytes = 0;
      for (const data of queue.slice(0, MailboxLimits.maxPutMany)) {
        if (count > 0 && bytes + data.length > MailboxLimits.maxDataBytes) break;
        bytes += data.length;
        count++;
      }
      const batch = queue.splice(0, count);
      await this.#putEverywhere(topic, batch);
      // What arrived meanwhile stays queued for the next round, in order.
      if (queue.length === 0) {
        this.#queued.delete(topic);
        return;
      }
    }
  }

  /** Resolves once every mirrored message was offered to the relays. */
  flushed(): Promise<void> {
    return this.#writes;
  }

  /** Fetches what every relay holds beyond this device's cursors; one pass at a time. */
  fetchAll(): Promise<void> {
    this.#pass ??= this.#fetchAll().finally(() => {
      this.#pass = undefined;
    });
    return this.#pass;
  }

  // ---- writing ---------------------------------------------------------------------------

  async #putEverywhere(topic: string, data: readonly Uint8Array[]): Promise<void> {
    const roomId = this.#client.roomOfTopic(topic);
    if (roomId === undefined) return;
    const relays = await this.#relaysOf(roomId);
    if (relays.length === 0) return;
    const room = await this.#roomOfTopic(topic);
    const head = room?.keys.at(-1);
    if (room === undefined || head === undefined) return;
    await Promise.all(
      this.#present(relays).map((relay) =>
        this.#put(relay, room, head, data).then(
          () => {
            this.#away.delete(relay.toString());
          },
          (error: unknown) => {
            // A refusal is worth telling the user; a relay that is away is not (the engine
            // resends unconfirmed messages, which come back here).
            if (error instanceof NodeError) this.#onError(error);
            else this.#wentAway(relay);
          },
        ),
      ),
    );
  }

  async #put(
    relay: PeerId,
    room: RoomKeys,
    key: MailboxKey,
    data: readonly Uint8Array[],
  ): Promise<void> {
    await this.#authorize(relay, room);
    const request: MailboxRequest = {
      type: 'putMany',
      topic: room.topic,
      publicKey: key.keyPair.publicKey,
      data,
      signature: signMailboxPutMany(key, room.topic, data),
    };
    const response = await this.#request(relay, request);
    if (response.type === 'refused') {
      if (response.code === 'UNAUTHORIZED') this.#forget(relay, room);
      throw new NodeError(
        'RELAY_REFUSED',
        `relay ${relay.toString()} refused to keep a message (${response.code}): ${response.message}`,
      );
    }
  }

  /** Makes the relay accept the room's newest key: claim it, or vouch with an older key. */
  async #authorize(relay: PeerId, room: RoomKeys): Promise<void> {
    const head = room.keys.at(-1);
    if (head === undefined) return;
    const id = `${relay.toString()}/${room.topic}/${toHex(head.keyPair.publicKey)}`;
    if (this.#accepted.has(id)) return;
    const status = await this.#request(relay, { type: 'status', topic: room.topic });
    const claim = status.type === 'status' && status.epoch === undefined;
    // Newest voucher first: the relay most likely accepts the key of the epoch it saw last.
    const vouchers = claim ? [head] : room.keys.slice(0, -1).reverse();
    for (const by of vouchers) {
      const next = { epoch: head.epoch, publicKey: head.keyPair.publicKey };
      const response = await this.#request(relay, {
        type: 'authorize',
        topic: room.topic,
        ...next,
        by: by.keyPair.publicKey,
        signature: signMailboxAuthorization(by, room.topic, next),
      });
      if (response.type === 'ok') {
        this.#accepted.add(id);
        return;
      }
    }
  }

  #forget(relay: PeerId, room: RoomKeys): void {
    const prefix = `${relay.toString()}/${room.topic}/`;
    for (const id of this.#accepted) if (id.startsWith(prefix)) this.#accepted.delete(id);
  }

  // ---- reading ---------------------------------------------------------------------------

  async #fetchAll(): Promise<void> {
    for (const summary of this.#client.rooms()) {
      if (!summary.active) continue;
      const relays = await this.#relaysOf(summary.roomId);
      if (relays.length === 0) continue;
      const room = await this.#keysOf(summary.roomId, summary.epoch);
      if (room === undefined) continue;
      // A room's relays at once: one that does not answer delays none of the others.
      await Promise.all(
        this.#present(relays).map((relay) =>
          this.#fetch(relay, room).then(
            () => {
              this.#away.delete(relay.toString());
            },
            () => {
              this.#wentAway(relay);
            },
          ),
        ),
      );
    }
  }

  /**
   * The relays not left out for having been unreachable. This device's own relays are always
   * tried: the user chose them, and they are the ones it returns to after being offline.
   */
  #present(relays: readonly PeerId[]): PeerId[] {
    const now = Date.now();
    return relays.filter(
      (r) =>
        this.#relays.some((own) => own.equals(r)) ||
        (this.#away.get(r.toString())?.until ?? 0) <= now,
    );
  }

  #wentAway(relay: PeerId): void {
    const key = relay.toString();
    const waitMs = Math.min(
      AWAY_MAX_MS,
      Math.max(AWAY_FIRST_MS, (this.#away.get(key)?.waitMs ?? 0) * 2),
    );
    this.#away.set(key, { until: Date.now() + waitMs, waitMs });
  }

  async #fetch(relay: PeerId, room: RoomKeys): Promise<void> {
    const head = room.keys.at(-1);
    if (head === undefined) return;
    await this.#authorize(relay, room);
    const cursorKey = joinKey('node', 'mailbox', relay.toString(), topicHash(room.topic));
    const stored = await this.#kv.get(cursorKey);
    let after = stored === undefined ? 0n : BigInt(new TextDecoder().decode(stored));
    for (let page = 0; page < MAX_PAGES; page++) {
      const response = await this.#request(relay, {
        type: 'fetch',
        topic: room.topic,
        after,
        limit: MailboxLimits.maxFetch,
        publicKey: head.keyPair.publicKey,
        signature: signMailboxRead(head, room.topic, after),
      });
      if (response.type !== 'messages') return;
      for (const m of response.messages) this.#transport.deliverStored(room.topic, m.data);
      const last = response.messages.at(-1);
      if (last === undefined) return;
      after = last.seq;
      // The cursor moves only once the engine has stored what it was handed.
      await this.#client.idle();
      await this.#kv.put(cursorKey, new TextEncoder().encode(after.toString()));
      if (!response.more) return;
    }
  }

  // ---- helpers ---------------------------------------------------------------------------

  /**
   * The relays of a room: this device's own and those its members recorded. Addresses named
   * by members go to the peer store so the relay can be dialled; a malformed one is skipped.
   */
  async #relaysOf(roomId: RoomId): Promise<PeerId[]> {
    const out: PeerId[] = [...this.#relays];
    for (const address of this.#client.roomRelays(roomId)) {
      const parsed = parseRelayAddress(address);
      if (parsed === undefined || out.some((p) => p.equals(parsed.peer))) continue;
      out.push(parsed.peer);
      if (!this.#knownAddresses.has(address) && this.#knownAddresses.size < MAX_KNOWN_ADDRESSES) {
        this.#knownAddresses.add(address);
        await this.#libp2p.peerStore
          .merge(parsed.peer, { multiaddrs: [parsed.address] })
          .catch(() => undefined);
      }
    }
    return out;
  }

  async #roomOfTopic(topic: string): Promise<RoomKeys | undefined> {
    for (const summary of this.#client.rooms()) {
      if (!summary.active) continue;
      const room = await this.#keysOf(summary.roomId, summary.epoch);
      if (room?.topic === topic) return room;
    }
    return undefined;
  }

  async #keysOf(roomId: RoomId, epoch: bigint): Promise<RoomKeys | undefined> {
    const cached = this.#keyCache.get(roomId);
    if (cached?.epoch === epoch) return cached.keys;
    const found = await this.#client.mailboxKeys(roomId);
    if (found === undefined) return undefined;
    const keys = { roomId, ...found };
    this.#keyCache.set(roomId, { epoch, keys });
    return keys;
  }

  #request(relay: PeerId, request: MailboxRequest): Promise<MailboxResponse> {
    return exchange(this.#libp2p, relay, MAILBOX, request);
  }
}

function parseRelayAddress(address: string): { peer: PeerId; address: Multiaddr } | undefined {
  try {
    const ma = multiaddr(address);
    const id = ma.getComponents().find((c) => c.name === 'p2p')?.value;
    return id === undefined ? undefined : { peer: peerIdFromString(id), address: ma };
  } catch {
    return undefined;
  }
}

function topicHash(topic: string): string {
  return toHex(sha256(new TextEncoder().encode(topic)));
}
