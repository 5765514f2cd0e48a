import type { PeerId } from '@libp2p/interface';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  bytesEqual,
  joinKey,
  keyPrefix,
  MailboxLimits,
  signMailboxRead,
  splitKey,
  toHex,
  type KithClient,
  type KvStore,
  type MailboxKey,
  type RoomId,
} from '@kith/core';
import type { DeviceLibp2p } from '../net/device-libp2p.ts';
import type { Libp2pTransport } from '../net/libp2p-transport.ts';
import { mailboxRequest, roomKeysOf, type RoomKeys } from './mailbox-exchange.ts';
import { MailboxWriter } from './mailbox-writer.ts';
import { RelayRoster } from './relay-roster.ts';

/** Pages fetched from one mailbox in one pass (500 messages each). */
const MAX_PAGES = 200;

/**
 * Epochs one pass follows a room forward: what a mailbox held may move the room to the next
 * epoch, whose mailbox is then read (a device back from a long absence walks the chain).
 */
const MAX_ROUNDS = 64;

/** Mailboxes read each round: the head epoch's and the one before (late messages of it). */
const READ_EPOCHS = 2;

/**
 * This device's use of relay mailboxes (docs/PROTOCOL.md §12): every message it publishes is
 * also put in its epoch's mailbox on every relay the room's members use (the room records
 * them, §12.5; `MailboxWriter`), and on each pass it fetches what arrived in the mailboxes of
 * the room's newest epochs since its cursors, handing it to the engine as if it came by
 * gossip. A mailbox is named by its epoch's mailbox key, so there is nothing to claim or vouch
 * for.
 */
export class RelayMailboxes {
  readonly #client: KithClient;
  readonly #libp2p: DeviceLibp2p;
  readonly #transport: Libp2pTransport;
  readonly #kv: KvStore;
  readonly #roster: RelayRoster;
  readonly #writer: MailboxWriter;
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
    this.#roster = new RelayRoster(parts.client, parts.libp2p, relays);
    this.#writer = new MailboxWriter(parts, this.#roster, onError);
    this.#libp2p.addEventListener('peer:identify', (event) => {
      this.#roster.reached(event.detail.peerId);
      this.#writer.putOwedLater(event.detail.peerId);
    });
  }

  get relays(): readonly PeerId[] {
    return this.#roster.own;
  }

  /** The room's relays, less those left out for a while for being unreachable (§12.5). */
  async relaysOf(roomId: RoomId): Promise<PeerId[]> {
    return this.#roster.present(await this.#roster.of(roomId));
  }

  /** Keeps a copy of a published message on every relay of its room (`MailboxWriter`). */
  mirror(topic: string, data: Uint8Array, onStored?: () => void): void {
    this.#writer.mirror(topic, data, onStored);
  }

  /** Resolves once every mirrored message was offered to the relays. */
  flushed(): Promise<void> {
    return this.#writer.flushed();
  }

  /** How many batches `relay` (a peer ID) has not acknowledged yet. */
  owedTo(relay: string): number {
    return this.#writer.owedTo(relay);
  }

  /** Fetches what every relay holds beyond this device's cursors; one pass at a time. */
  fetchAll(): Promise<void> {
    this.#pass ??= this.#fetchAll().finally(() => {
      this.#pass = undefined;
    });
    return this.#pass;
  }

  // ---- reading ---------------------------------------------------------------------------

  async #fetchAll(): Promise<void> {
    for (const summary of this.#client.rooms()) {
      if (!summary.active) continue;
      const relays = await this.#roster.of(summary.roomId);
      if (relays.length === 0) continue;
      await this.#follow(summary.roomId, relays);
    }
  }

  /**
   * Reads a room's newest mailboxes on its relays, round after round while what they held
   * moved the room to a newer epoch, then forgets the cursors of epochs no longer kept.
   */
  async #follow(roomId: RoomId, relays: readonly PeerId[]): Promise<void> {
    let room = await roomKeysOf(this.#client, roomId);
    for (let round = 0; room !== undefined && round < MAX_ROUNDS; round++) {
      const head = room.keys.at(-1)?.epochId;
      const keys = room.keys.slice(-READ_EPOCHS);
      const current = room;
      // A room's relays at once: one that does not answer delays none of the others.
      await Promise.all(
        this.#roster.present(relays).map((relay) =>
          this.#fetchFrom(relay, current.topic, keys).then(
            () => {
              this.#roster.reached(relay);
              this.#writer.putOwedLater(relay);
            },
            () => {
              this.#roster.wentAway(relay);
            },
          ),
        ),
      );
      room = await roomKeysOf(this.#client, roomId);
      const moved = room?.keys.at(-1)?.epochId;
      if (head === undefined || moved === undefined || bytesEqual(head, moved)) break;
    }
    if (room !== undefined) await this.#forgetCursors(relays, room);
  }

  async #fetchFrom(relay: PeerId, topic: string, keys: readonly MailboxKey[]): Promise<void> {
    for (const key of keys) await this.#fetch(relay, topic, key);
  }

  async #fetch(relay: PeerId, topic: string, key: MailboxKey): Promise<void> {
    const cursorKey = cursorOf(relay, topic, key);
    const stored = await this.#kv.get(cursorKey);
    let after = stored === undefined ? 0n : BigInt(new TextDecoder().decode(stored));
    for (let page = 0; page < MAX_PAGES; page++) {
      const response = await mailboxRequest(this.#libp2p, relay, {
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
