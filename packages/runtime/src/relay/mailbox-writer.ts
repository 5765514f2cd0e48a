import type { PeerId } from '@libp2p/interface';
import {
  bytesEqual,
  mailboxEpochOf,
  MailboxLimits,
  signMailboxPutMany,
  type KithClient,
  type MailboxKey,
} from '@kith/core';
import { DeviceError } from '../errors.ts';
import type { DeviceLibp2p } from '../net/device-libp2p.ts';
import { mailboxRequest, roomKeysOf } from './mailbox-exchange.ts';
import { MirrorBacklog, type Unacknowledged } from './mirror-backlog.ts';
import type { RelayRoster } from './relay-roster.ts';

/**
 * The writing half of this device's relay mailboxes (docs/PROTOCOL.md §12): every message it
 * publishes is also put in its epoch's mailbox on every relay of the room, in the background
 * and in order. What a relay does not acknowledge waits in a backlog and is put again, before
 * anything newer, once the relay is back.
 */
export class MailboxWriter {
  readonly #client: KithClient;
  readonly #libp2p: DeviceLibp2p;
  readonly #roster: RelayRoster;
  readonly #onError: (error: unknown) => void;
  #writes: Promise<void> = Promise.resolve();
  /** Messages waiting to be put, per topic. */
  readonly #queued = new Map<string, Uint8Array[]>();
  /** Messages a relay did not acknowledge: put again when it is back. */
  readonly #backlog = new MirrorBacklog();
  /** Whom to tell once a relay acknowledged a message (delivery states), by the copy queued. */
  readonly #onStored = new WeakMap<Uint8Array, () => void>();

  constructor(
    parts: { client: KithClient; libp2p: DeviceLibp2p },
    roster: RelayRoster,
    onError: (error: unknown) => void,
  ) {
    this.#client = parts.client;
    this.#libp2p = parts.libp2p;
    this.#roster = roster;
    this.#onError = onError;
  }

  /**
   * Keeps a copy of a published message on every relay, in the background and in order.
   * Messages that queue up while a put is under way go together in the next one (up to 64).
   * `onStored` hears when the first relay acknowledged the message.
   */
  mirror(topic: string, data: Uint8Array, onStored?: () => void): void {
    const queue = this.#queued.get(topic) ?? [];
    const copy = data.slice();
    if (onStored !== undefined) this.#onStored.set(copy, onStored);
    queue.push(copy);
    this.#queued.set(topic, queue);
    if (queue.length > 1) return; // a drain for this topic is already scheduled
    this.#writes = this.#writes.then(() => this.#drain(topic)).catch(this.#onError);
  }

  /** Resolves once every mirrored message was offered to the relays. */
  async flushed(): Promise<void> {
    await this.#writes;
    // Once more for what a relay that is connected now still owes (its put failed since).
    for (const relay of this.#roster.own) {
      if (this.#libp2p.getConnections(relay).length > 0) this.putOwedLater(relay);
    }
    await this.#writes;
  }

  /** How many batches `relay` (a peer ID) has not acknowledged yet. */
  owedTo(relay: string): number {
    return this.#backlog.count(relay);
  }

  /** `relay` is reachable again: what it owes is put, after the writes already queued. */
  putOwedLater(relay: PeerId): void {
    if (!this.#backlog.owes(relay.toString())) return;
    this.#writes = this.#writes.then(() => this.#putOwed(relay)).catch(this.#onError);
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

  async #putEverywhere(topic: string, data: readonly Uint8Array[]): Promise<void> {
    const roomId = this.#client.roomOfTopic(topic);
    if (roomId === undefined) return;
    const relays = await this.#roster.of(roomId);
    if (relays.length === 0) return;
    const room = await roomKeysOf(this.#client, roomId);
    if (room === undefined) return;
    const parts = [...byMailbox(room.keys, data)];
    await Promise.all(
      this.#roster.present(relays).map((relay) => this.#putInOrder(relay, { topic, data }, parts)),
    );
  }

  /**
   * Puts `batch` on one relay, after anything that relay still owes: a member reading the
   * mailbox must meet each sender's messages in the order they were sent, because MLS keeps
   * only so many skipped keys (a newer message read first would make older ones unreadable).
   */
  async #putInOrder(
    relay: PeerId,
    batch: Unacknowledged,
    parts: readonly (readonly [MailboxKey, Uint8Array[]])[],
  ): Promise<void> {
    const id = relay.toString();
    if (this.#backlog.owes(id)) {
      this.#backlog.keep(id, batch);
      // Once connected it takes them all, in order; until then they wait for it to come back.
      if (this.#libp2p.getConnections(relay).length > 0) this.putOwedLater(relay);
      return;
    }
    for (const [i, [key, part]] of parts.entries()) {
      try {
        await this.#put(relay, key, part);
        this.#roster.reached(relay);
      } catch (error) {
        // A refusal is worth telling the user; a relay that is away is not: what it did not
        // acknowledge is put again when it is back.
        if (error instanceof DeviceError) {
          this.#onError(error);
          continue;
        }
        this.#roster.wentAway(relay);
        this.#backlog.keep(id, { topic: batch.topic, data: parts.slice(i).flatMap(([, d]) => d) });
        return;
      }
    }
  }

  /** Puts again, in order, what `relay` did not acknowledge; stops at the first that fails. */
  async #putOwed(relay: PeerId): Promise<void> {
    const owed = this.#backlog.take(relay.toString());
    for (const [i, batch] of owed.entries()) {
      const roomId = this.#client.roomOfTopic(batch.topic);
      const room = roomId === undefined ? undefined : await roomKeysOf(this.#client, roomId);
      if (room === undefined) continue; // no longer a member
      try {
        for (const [key, part] of byMailbox(room.keys, batch.data))
          await this.#put(relay, key, part);
      } catch (error) {
        if (error instanceof DeviceError) {
          this.#onError(error);
          continue;
        }
        this.#backlog.giveBack(relay.toString(), owed.slice(i));
        return;
      }
    }
  }

  async #put(relay: PeerId, key: MailboxKey, data: readonly Uint8Array[]): Promise<void> {
    const response = await mailboxRequest(this.#libp2p, relay, {
      type: 'putMany',
      mailbox: key.keyPair.publicKey,
      data,
      signature: signMailboxPutMany(key, relay.toString(), data),
    });
    if (response.type === 'refused') {
      throw new DeviceError(
        'RELAY_REFUSED',
        `relay ${relay.toString()} refused to keep a message (${response.code}): ${response.message}`,
      );
    }
    for (const d of data) {
      const onStored = this.#onStored.get(d);
      this.#onStored.delete(d);
      onStored?.();
    }
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
