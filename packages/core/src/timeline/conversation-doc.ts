import * as Y from 'yjs';
import type { MessageRef } from '../content/builders.ts';
import { decodeContent } from '../content/codec.ts';
import { contentMessageId, type MessageId } from '../content/message-id.ts';
import { bytesEqual, toHex } from '../crypto/bytes.ts';
import type { SigningKeyPair } from '../crypto/ed25519.ts';
import type { DeviceId, RoomId, UserId } from '../ids.ts';
import type { AuthorChain, ForkEvidence } from './author-chain.ts';
import type { ControlPlaneView } from './control-plane.ts';
import { messageKey } from './entry.ts';
import type { BodyChanges, StoredBodies } from './bodies.ts';
import { TimelineError } from './errors.ts';
import { META_KEY_PATTERN, READ_MARKER_KEY, TimelineLimits } from './limits.ts';
import { encodeEnvelopes, LocalWriter } from './local-writer.ts';
import { hasDoubtfulLinks, rejudge } from './rejudge.ts';
import { Replica } from './replica.ts';
import { decodeSignedUpdate, type SignedUpdate } from './signed-update.ts';
import { decodeSnapshot, encodeSnapshot } from './snapshot.ts';
import {
  encodedUpdatesSince,
  stateVectorOf,
  type ChainHead,
  type TimelineStateVector,
} from './sync.ts';
import type { TimelineChange, TimelineMessage } from './timeline-message.ts';
import { roomUri, userUri } from './uris.ts';
import type { UpdateVerdict } from './verdict.ts';

/**
 * What a room's conversation document needs: the room, the local device's key, the control
 * plane to check updates against, and the bodies stored last time.
 */
export interface ConversationDocOptions {
  /** The room's 32-byte MLS group ID. */
  readonly room: Uint8Array;
  /** The local device's signing key. */
  readonly device: SigningKeyPair;
  readonly controlPlane: ControlPlaneView;
  /** The device ID of a device public key (identity/'s `deviceIdFromPublicKey`). */
  readonly deviceIdOf: (devicePublicKey: Uint8Array) => DeviceId;
  /** The clock (ms): a message that arrives after its expiry is never shown. */
  readonly now?: () => number;
  /** Bodies and purge stubs this device stored (bodies.ts), when it reopens the room. */
  readonly stored?: StoredBodies;
}

/** Called with what changed in the timeline after a write or a received update. */
export type TimelineListener = (changes: readonly TimelineChange[]) => void;
/** Called with the `meta:` keys of one device that a write or a received update changed. */
export type MetaListener = (device: DeviceId, keys: readonly string[]) => void;

const c0 = new Uint8Array();

/**
 * One room's timeline as one device holds it: a Y.Doc in which every author device writes only
 * its own `log:<device>` and `meta:<device>` roots, the chain of signed updates of every author,
 * and the reduced view. Sans-IO: `write` returns the signed update to send, `receive` judges one
 * (see validate-update.ts) and applies it only when accepted.
 */
export class ConversationDoc {
  #r: Replica;
  readonly #key: SigningKeyPair;
  #own: AuthorChain;
  readonly #listeners = new Set<TimelineListener>();
  readonly #metaListeners = new Set<MetaListener>();
  #writer: LocalWriter;

  constructor(options: ConversationDocOptions) {
    this.#key = options.device;
    this.#r = new Replica(options.room, options.controlPlane, options.deviceIdOf, options.now);
    if (options.stored !== undefined) {
      this.#r.bodies.table.load(options.stored);
    }
    this.#own = this.#r.chainFor(options.device.publicKey);
    this.#writer = this.#attach(this.#r);
  }

  /** Makes `r` this document's replica: local writes and meta events go to its Y.Doc. */
  #attach(r: Replica): LocalWriter {
    this.#r = r;
    this.#own = r.chainFor(this.#key.publicKey);
    r.doc.on('afterTransaction', (tr: Y.Transaction) => {
      if (this.#metaListeners.size > 0) this.#metaChanged(tr);
    });
    return new LocalWriter(r, this.#key, this.#own);
  }

  /**
   * After a fork switch from epoch `fromEpoch` on (see rejudge.ts): when an update accepted on
   * the abandoned branch is not acceptable on the winner, builds the replica again so that this
   * device holds what a device that only saw the winner holds. Returns how many updates were
   * withdrawn (0, the usual case, costs one look at each update and changes nothing).
   */
  reconsider(fromEpoch: bigint): number {
    if (!hasDoubtfulLinks(this.#r, fromEpoch, this.#own.hex)) return 0;
    const { replica, changes, withdrawn } = rejudge(this.#r, this.#own.hex);
    this.#writer = this.#attach(replica);
    if (changes.length > 0) for (const listener of this.#listeners) listener(changes);
    return withdrawn;
  }

  /** Reopens a document from `snapshot()`; later signed updates then go through `receive`. */
  static restore(options: ConversationDocOptions, snapshot: Uint8Array): ConversationDoc {
    const s = decodeSnapshot(snapshot);
    if (!bytesEqual(s.room, options.room) || !bytesEqual(s.device, options.device.publicKey)) {
      throw new TimelineError('TIMELINE_WRONG_ROOM', 'snapshot of another room or device');
    }
    const d = new ConversationDoc(options);
    d.#r.restore(s);
    return d;
  }

  /** The room's 32-byte MLS group ID. */
  get room(): Uint8Array {
    return this.#r.room;
  }

  /** The room's ID: the group ID in lowercase hex. */
  get roomId(): RoomId {
    return this.#r.roomId;
  }

  /** The generation this device writes in (moves on after one of its updates was refused). */
  get generation(): number {
    return this.#own.nextGeneration();
  }

  /** The highest epoch this device's own updates name (none before its first). */
  get highestOwnEpoch(): bigint | undefined {
    let highest: bigint | undefined;
    for (const link of this.#own.links)
      if (highest === undefined || link.epoch > highest) highest = link.epoch;
    return highest;
  }

  /** Appends one MIMI content message (encoded) to this device's log. */
  write(content: Uint8Array, now: number): SignedUpdate {
    return this.writeMany([content], now);
  }

  /** Appends several entries in one signed update (imports, batches): one signature for all. */
  writeMany(contents: readonly Uint8Array[], now: number): SignedUpdate {
    const own = this.#own;
    const seq = own.links.length;
    const first = Math.max(this.#r.maxLamport, own.lastLamport) + 1;
    if (first + contents.length > Number.MAX_SAFE_INTEGER) {
      throw new TimelineError('TIMELINE_LAMPORT_EXHAUSTED', 'lamport clock at its limit');
    }
    const log = this.#r.doc.getArray<[Uint8Array]>(own.logRoot);
    const position = log.length;
    // Decoding checks the content: a device never sends what it would refuse to show.
    const user = this.#r.controlPlane.userOf(this.#key.publicKey);
    if (user === undefined) throw new TimelineError('TIMELINE_NOT_MEMBER', 'not a member');
    const sender = userUri(user);
    const room = roomUri(this.#r.roomId);
    const entries = contents.map((content, i) => ({
      envelope: {
        seq,
        lamport: first + i,
        ts: now,
        messageId: contentMessageId(content, sender, room),
      },
      content: decodeContent(content),
      position: position + i,
    }));
    const envelopes = encodeEnvelopes(
      contents,
      entries.map((e) => e.envelope),
    );
    const { signed, client, clock } = this.#writer.commit(() => {
      log.insert(
        log.length,
        envelopes.map((e): [Uint8Array] => [e]),
      );
    });
    if (envelopes.length > 0) {
      own.lastLogItem = { client, clock: clock + envelopes.length - 1 };
      own.lastLamport = first + envelopes.length - 1;
      this.#r.maxLamport = own.lastLamport;
    }
    own.bodyRefs[signed.seq] = entries.map((e) => e.envelope.messageId);
    const bodies = contents.map((c) => c.slice());
    const sidecar = new Map<string, Uint8Array>();
    entries.forEach((e, i) => sidecar.set(messageKey(e.envelope.messageId), bodies[i] ?? c0));
    this.#r.addEntries(
      own,
      signed.epoch,
      entries.map((e, i) => ({ ...e, item: { client, clock: clock + i } })),
      sidecar,
    );
    this.#emit();
    return bodies.length === 0 ? signed : { ...signed, bodies };
  }

  /** Moves this device's read marker (in its `meta:` map) to `messageId`. */
  setReadMarker(messageId: MessageId): SignedUpdate {
    return this.setMeta(READ_MARKER_KEY, Uint8Array.from(messageId));
  }

  /**
   * Sets one value of this device's `meta:` map (per-device data every member replicates:
   * read marker, relays, ...). Keys match `META_KEY_PATTERN`; values are at most
   * `TimelineLimits.maxMetaValueBytes`.
   */
  setMeta(key: string, value: Uint8Array): SignedUpdate {
    if (!META_KEY_PATTERN.test(key)) {
      throw new TimelineError(
        'TIMELINE_MALFORMED',
        `meta key ${JSON.stringify(key)} is not allowed`,
      );
    }
    if (value.length > TimelineLimits.maxMetaValueBytes) {
      throw new TimelineError(
        'TIMELINE_TOO_LARGE',
        `meta value of ${value.length} bytes (at most ${TimelineLimits.maxMetaValueBytes})`,
      );
    }
    const meta = this.#r.doc.getMap<Uint8Array>(this.#own.metaRoot);
    return this.#writer.commit(() => {
      meta.set(key, value.slice());
    }).signed;
  }

  /** This device's own current value of a `meta:` key. */
  ownMeta(key: string): Uint8Array | undefined {
    const value = this.#r.doc.getMap<unknown>(this.#own.metaRoot).get(key);
    return value instanceof Uint8Array ? value : undefined;
  }

  /** Every device's value of one `meta:` key (forked devices have none). */
  metaValues(key: string): Map<DeviceId, Uint8Array> {
    const out = new Map<DeviceId, Uint8Array>();
    for (const chain of this.#r.chains.values()) {
      if (chain.forkedAt !== undefined) continue;
      const value = this.#r.doc.getMap<unknown>(chain.metaRoot).get(key);
      if (value instanceof Uint8Array) out.set(chain.deviceId, value);
    }
    return out;
  }

  /**
   * Judges a signed update (an object, or its encoding as received) and applies it if
   * accepted, then any of the author's updates that were waiting for it. Never throws on
   * what a member sent: malformed input is a `rejected` verdict.
   */
  receive(input: SignedUpdate | Uint8Array): UpdateVerdict {
    const verdict = this.#r.receive(input);
    this.#emit();
    return verdict;
  }

  /** Judges again the updates that waited for the control plane to reach their epoch. */
  retryPending(): void {
    for (const chain of this.#r.chains.values()) this.#r.drain(chain);
    this.#emit();
  }

  /** Applies the control plane's new cuts (after a commit that removed or re-roled devices). */
  applyCuts(): void {
    this.#r.applyCuts();
    this.#emit();
  }

  /** Chain heads by author (hex public key), for sync. */
  stateVector(): Map<string, ChainHead> {
    return stateVectorOf(this.#r.chains.values());
  }

  /** The seq of this device's own update that wrote each of its messages, by message ID (hex). */
  ownMessageSeqs(): Map<string, number> {
    const out = new Map<string, number>();
    this.#own.bodyRefs.forEach((refs, seq) => {
      for (const id of refs ?? []) out.set(toHex(id), seq);
    });
    return out;
  }

  /**
   * How far a member holds this device's chain, by the head it claims (-1: nothing shown). The
   * claim counts only if its hash is that of this device's update at that seq, which only a
   * holder of the update (or its successor) can name.
   */
  ownHeldUpTo(claim: ChainHead | undefined): number {
    const link = claim === undefined ? undefined : this.#own.links[claim.seq];
    return link !== undefined && claim !== undefined && bytesEqual(link.hash, claim.head)
      ? claim.seq
      : -1;
  }

  /**
   * Whether this device holds `claim` of the author with public key `authorHex`: the same update
   * at that seq (so the claimant is on this device's branch of the author's chain).
   */
  holds(authorHex: string, claim: ChainHead): boolean {
    const link = this.#r.chains.get(authorHex)?.links[claim.seq];
    return link !== undefined && bytesEqual(link.hash, claim.head);
  }

  /** The signed updates a member with state vector `theirs` lacks, in an order that applies. */
  updatesSince(theirs: TimelineStateVector): SignedUpdate[] {
    return this.encodedUpdatesSince(theirs).map(decodeSignedUpdate);
  }

  /**
   * `updatesSince`, as the bytes received (cheaper when they are only forwarded). Bodies go
   * with the updates of the epochs `shareBodies` allows (the room's history policy): the rest
   * go without, so the recipient's chains stay whole while it never sees that content.
   */
  encodedUpdatesSince(
    theirs: TimelineStateVector,
    shareBodies: (epoch: bigint) => boolean = () => true,
  ): Uint8Array[] {
    return encodedUpdatesSince(this.#r.chains.values(), theirs, (chain, seq, encoded) =>
      shareBodies(chain.links[seq]?.epoch ?? 0n)
        ? this.#r.attachBodies(chain, seq, encoded)
        : encoded,
    );
  }

  /** Messages this device holds without their content (history not shared with it). */
  get withheldCount(): number {
    return this.#r.bodies.waitingCount;
  }

  /**
   * This device's own signed updates from `fromSeq` on, encoded with the bodies it still holds
   * (outbox, resending). Store them with `withoutBodies`: bodies have their own table.
   */
  encodedOwnUpdates(
    fromSeq = 0,
    shareBodies: (epoch: bigint) => boolean = () => true,
  ): Uint8Array[] {
    return this.#own.links
      .slice(fromSeq)
      .map((l) =>
        shareBodies(l.epoch) ? this.#r.attachBodies(this.#own, l.seq, l.encoded) : l.encoded,
      );
  }

  /**
   * Takes out every message whose expiry (MIMI `expires`) is at or before `now` and purges it
   * with everything that refers to it; returns how many expired.
   */
  expire(now: number): number {
    const n = this.#r.bodies.expire(now);
    this.#emit();
    return n;
  }

  /** Bodies to store, bodies to delete and purge stubs since the last call, for the store. */
  takeStoreChanges(): BodyChanges {
    return this.#r.bodies.table.take();
  }

  /** How many message bodies this device holds (purged ones are gone). */
  get bodyCount(): number {
    return this.#r.bodies.table.size;
  }

  /**
   * Every message of the room in the order all members agree on, with edits, reactions and
   * retractions folded in.
   */
  timeline(): readonly TimelineMessage[] {
    return this.#r.reducer.timeline();
  }

  /** One message by the ID of its first version. */
  message(messageId: MessageId): TimelineMessage | undefined {
    return this.#r.reducer.message(messageKey(messageId));
  }

  /**
   * `userId`'s reaction `text` to a message, as a reference to pass to `unreaction`; undefined
   * when there is none to take back.
   */
  reactionOf(messageId: MessageId, text: string, userId: UserId): MessageRef | undefined {
    const r = this.#r.reducer.reactionOf(messageKey(messageId), text, userId);
    return r === undefined ? undefined : { messageId: r.messageId, content: r.content };
  }

  /** Signed updates waiting for their author's earlier updates or for their epoch. */
  get pendingCount(): number {
    let n = 0;
    for (const c of this.#r.chains.values()) n += c.pendingCount;
    return n;
  }

  /** Each device's read marker (forked devices have none). */
  readMarkers(): Map<DeviceId, MessageId> {
    const out = new Map<DeviceId, MessageId>();
    for (const [device, value] of this.metaValues(READ_MARKER_KEY)) {
      if (value.length === 32 && value[0] === 1) out.set(device, value as MessageId);
    }
    return out;
  }

  /** Proof of every fork seen, to forward to the other members. */
  evidence(): ForkEvidence[] {
    return [...this.#r.chains.values()].flatMap((c) => c.evidence);
  }

  /** Forked devices and the seq from which their entries are hidden. */
  forkedDevices(): Map<DeviceId, number> {
    const out = new Map<DeviceId, number>();
    for (const c of this.#r.chains.values()) {
      if (c.forkedAt !== undefined) out.set(c.deviceId, c.forkedAt);
    }
    return out;
  }

  /**
   * The document at rest. `bodies: false` leaves message bodies out (a device that stores them
   * in their own table, see `takeStoreChanges`, restores with the `stored` option).
   */
  snapshot(options: { readonly bodies?: boolean } = {}): Uint8Array {
    return encodeSnapshot(this.#r.snapshotState(this.#key.publicKey, options.bodies ?? true));
  }

  /** Calls `listener` with the timeline changes each write or receive makes. */
  onChange(listener: TimelineListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Calls `listener` with each device's `meta:` keys that a write or receive changes. */
  onMetaChange(listener: MetaListener): () => void {
    this.#metaListeners.add(listener);
    return () => this.#metaListeners.delete(listener);
  }

  #metaChanged(tr: Y.Transaction): void {
    for (const [type, keys] of tr.changed) {
      if (type._item !== null || !(type instanceof Y.Map)) continue;
      const changed = [...keys].filter((k): k is string => typeof k === 'string');
      if (changed.length === 0) continue;
      for (const chain of this.#r.chains.values()) {
        if (this.#r.doc.getMap(chain.metaRoot) !== type) continue;
        for (const listener of this.#metaListeners) listener(chain.deviceId, changed);
      }
    }
  }

  #emit(): void {
    const changes = this.#r.settle();
    if (changes.length === 0) return;
    for (const listener of this.#listeners) listener(changes);
  }
}
