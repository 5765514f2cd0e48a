import type { PeerId } from '@libp2p/interface';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  bytesEqual,
  decodeMailboxResponse,
  encodeMailboxRequest,
  joinKey,
  keyPrefix,
  mailboxEpochOf,
  MailboxLimits,
  signMailboxPutMany,
  signMailboxRead,
  splitKey,
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
import { MirrorBacklog } from './mirror-backlog.ts';
import { relayOf } from './relay-keeper.ts';

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

/**
 * Epochs one pass follows a room forward: what a mailbox held may move the room to the next
 * epoch, whose mailbox is then read (a device back from a long absence walks the chain).
 */
const MAX_ROUNDS = 64;

/** Mailboxes read each round: the head epoch's and the one before (late messages of it). */
const READ_EPOCHS = 2;

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
 * also put in its epoch's mailbox on every relay the room's members use (the room records
 * them, §12.5), and on each pass it fetches what arrived in the mailboxes of the room's newest
 * epochs since its cursors, handing it to the engine as if it came by gossip. A mailbox is
 * named by its epoch's mailbox key, so there is nothing to claim or vouch for.
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
  #writes: Promise<void> = Promise.resolve();
  /** Messages waiting to be put, per topic. */
  readonly #queued = new Map<string, Uint8Array[]>();
  /** Messages a relay did not acknowledge: put again when it is back. */
  readonly #backlog = new MirrorBacklog();
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
      this.#putOwedLater(event.detail.peerId);
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
  async flushed(): Promise<void> {
    await this.#writes;
    // Once more for what a relay that is connected now still owes (its put failed since).
    for (const relay of this.#relays) {
      if (this.#libp2p.getConnections(relay).length > 0) this.#putOwedLater(relay);
    }
    await this.#writes;
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
    const room = await this.#keysOf(roomId);
    if (room === undefined) return;
    for (const [key, batch] of byMailbox(room.keys, data)) {
      await Promise.all(
        this.#present(relays).map((relay) =>
          this.#put(relay, key, batch).then(
            () => {
              this.#away.delete(relay.toString());
            },
            (error: unknown) => {
              // A refusal is worth telling the user; a relay that is away is not: what it did
              // not acknowledge is put again when it is back.
              if (error instanceof NodeError) this.#onError(error);
              else {
                this.#wentAway(relay);
                this.#backlog.keep(relay.toString(), { topic, data: batch });
              }
            },
          ),
        ),
      );
    }
  }

  /** How many batches `relay` (a peer ID) has not acknowledged yet. */
  owedTo(relay: string): number {
    return this.#backlog.count(relay);
  }

  #putOwedLater(relay: PeerId): void {
    if (!this.#backlog.owes(relay.toString())) return;
    this.#writes = this.#writes.then(() => this.#putOwed(relay)).catch(this.#onError);
  }

  /** Puts again, in order, what `relay` did not acknowledge; stops at the first that fails. */
  async #putOwed(relay: PeerId): Promise<void> {
    const owed = this.#backlog.take(relay.toString());
    for (const [i, batch] of owed.entries()) {
      const roomId = this.#client.roomOfTopic(batch.topic);
      const room = roomId === undefined ? undefined : await this.#keysOf(roomId);
      if (room === undefined) continue; // no longer a member
      try {
        for (const [key, part] of byMailbox(room.keys, batch.data))
          await this.#put(relay, key, part);
      } catch (error) {
        if (error instanceof NodeError) {
          this.#onError(error);
          continue;
        }
        this.#backlog.giveBack(relay.toString(), owed.slice(i));
        return;
      }
    }
  }

  async #put(relay: PeerId, key: MailboxKey, data: readonly Uint8Array[]): Promise<void> {
    const response = await this.#request(relay, {
      type: 'putMany',
      mailbox: key.keyPair.publicKey,
      data,
      signature: signMailboxPutMany(key, relay.toString(), data),
    });
    if (response.type === 'refused') {
      throw new NodeError(
        'RELAY_REFUSED',
        `relay ${relay.toString()} refused to keep a message (${response.code}): ${response.message}`,
      );
    }
  }

  // ---- reading ---------------------------------------------------------------------------

  async #fetchAll(): Promise<void> {
    for (const summary of this.#client.rooms()) {
      if (!summary.active) continue;
      const relays = await this.#relaysOf(summary.roomId);
      if (relays.length === 0) continue;
      await this.#follow(summary.roomId, relays);
    }
  }

  /**
   * Reads a room's newest mailboxes on its relays, round after round while what they held
   * moved the room to a newer epoch, then forgets the cursors of epochs no longer kept.
   */
  async #follow(roomId: RoomId, relays: readonly PeerId[]): Promise<void> {
    let room = await this.#keysOf(roomId);
    for (let round = 0; room !== undefined && round < MAX_ROUNDS; round++) {
      const head = room.keys.at(-1)?.epochId;
      const keys = room.keys.slice(-READ_EPOCHS);
      const current = room;
      // A room's relays at once: one that does not answer delays none of the others.
      await Promise.all(
        this.#present(relays).map((relay) =>
          this.#fetchFrom(relay, current.topic, keys).then(
            () => {
              this.#away.delete(relay.toString());
              this.#putOwedLater(relay);
            },
            () => {
              this.#wentAway(relay);
            },
          ),
        ),
      );
      room = await this.#keysOf(roomId);
      const moved = room?.keys.at(-1)?.epochId;
      if (head === undefined || moved === undefined || bytesEqual(head, moved)) break;
    }
    if (room !== undefined) await this.#forgetCursors(relays, room);
  }

  async #fetchFrom(relay: PeerId, topic: string, keys: readonly MailboxKey[]): Promise<void> {
    for (const key of keys) await this.#fetch(relay, topic, key);
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

  async #fetch(relay: PeerId, topic: string, key: MailboxKey): Promise<void> {
    const cursorKey = cursorOf(relay, topic, key);
    const stored = await this.#kv.get(cursorKey);
    let after = stored === undefined ? 0n : BigInt(new TextDecoder().decode(stored));
    for (let page = 0; page < MAX_PAGES; page++) {
      const response = await this.#request(relay, {
        type: 'fetch',
        mailbox: key.keyPair.publicKey,
        after,
        limit: MailboxLimits.maxFetch,
        signature: signMailboxRead(key, relay.toString(), after),
      });
      if (response.type !== 'messages') return;
      for (const m of response.messages) this.#transport.deliverStored(topic, m.data);
      const last = response.messages.at(-1);
      if (last === undefined) return;
      after = last.seq;
      // The cursor moves only once the engine has stored what it was handed.
      await this.#client.idle();
      await this.#kv.put(cursorKey, new TextEncoder().encode(after.toString()));
      if (!response.more) return;
    }
  }

  /** Deletes the cursors of mailboxes whose epochs the room no longer keeps. */
  async #forgetCursors(relays: readonly PeerId[], room: RoomKeys): Promise<void> {
    const kept = new Set(room.keys.map((k) => toHex(k.keyPair.publicKey)));
    for (const relay of relays) {
      const prefix = keyPrefix('node', 'mailbox', relay.toString(), topicHash(room.topic));
      // Layout 1 kept one cursor per topic, at the prefix's own name.
      const stale: string[] = [joinKey('node', 'mailbox', relay.toString(), topicHash(room.topic))];
      for await (const key of this.#kv.keys({ prefix })) {
        if (!kept.has(splitKey(key).at(-1) ?? '')) stale.push(key);
      }
      for (const key of stale) await this.#kv.del(key);
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
      const parsed = relayOf(address);
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

  async #keysOf(roomId: RoomId): Promise<RoomKeys | undefined> {
    const found = await this.#client.mailboxKeys(roomId);
    return found === undefined ? undefined : { roomId, ...found };
  }

  #request(relay: PeerId, request: MailboxRequest): Promise<MailboxResponse> {
    return exchange(this.#libp2p, relay, MAILBOX, request);
  }
}

/**
 * Messages grouped by the mailbox of the epoch each names, in order; a message of an epoch
 * this device no longer keeps (or an external commit, made before its sender held any key of
 * the room) goes to the newest epoch's mailbox.
 */
function byMailbox(
  keys: readonly MailboxKey[],
  data: readonly Uint8Array[],
): Map<MailboxKey, Uint8Array[]> {
  const out = new Map<MailboxKey, Uint8Array[]>();
  const head = keys.at(-1);
  for (const d of data) {
    const epochId = mailboxEpochOf(d);
    const key =
      (epochId === undefined ? undefined : keys.find((k) => bytesEqual(k.epochId, epochId))) ??
      head;
    if (key === undefined) continue;
    out.set(key, [...(out.get(key) ?? []), d]);
  }
  return out;
}

/** Where the cursor of one epoch's mailbox on one relay is kept. */
function cursorOf(relay: PeerId, topic: string, key: MailboxKey): string {
  return joinKey(
    'node',
    'mailbox',
    relay.toString(),
    topicHash(topic),
    toHex(key.keyPair.publicKey),
  );
}

function topicHash(topic: string): string {
  return toHex(sha256(new TextEncoder().encode(topic)));
}
