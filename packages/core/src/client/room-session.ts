import { bytesEqual, toHex } from '../crypto/bytes.ts';
import { ConversationGroup, type GroupOptions } from '../group/conversation-group.ts';
import { createDeviceKeyPackage } from '../group/key-package.ts';
import type { MemberDevice } from '../group/leaves.ts';
import { deviceIdFromPublicKey } from '../identity/user-id.ts';
import type { DeviceIdentity } from '../identity/identities.ts';
import type { DeviceId, RoomId } from '../ids.ts';
import type { ClockPort } from '../ports/clock.ts';
import type { TransportPort } from '../ports/transport.ts';
import type { KvOperation, KvStore } from '../storage/store.ts';
import { encodeDirectFrame, type DirectFrame } from '../sync/frames.ts';
import { encodeSignalPayload } from '../sync/payload.ts';
import { roomTopic } from '../sync/topic.ts';
import { ConversationDoc } from '../timeline/conversation-doc.ts';
import { ClientError } from './errors.ts';
import type { KithEvent, SyncStatus } from './events.ts';
import type { ControlHistory } from './control-history.ts';
import type { Intent } from './intent.ts';
import { RoomStore } from './room-store.ts';
import { groupInfoRefusal } from './branch-guard.ts';
import { Embargo } from './embargo.ts';
import { IntentLog } from './intent-log.ts';
import { DeliveryLog } from './message-status.ts';
import { Outbox } from './outbox.ts';
import {
  commitIntent,
  commitPendingProposals,
  makeIntentsAgain,
  rotateIfWorn,
} from './session-epochs.ts';
import { authorAndSeq, groupInfoHead, isAhead, heldUpdates } from './session-helpers.ts';
import { handleOutcome } from './session-inbound.ts';
import { publishOwn, publishTracked, resendUnconfirmed, sealForSync } from './session-outbox.ts';
import type { PeerPosition } from './room-sync.ts';

/** Ticks on which the body range is compacted after a purge (see `compactPurged`). */
const PURGE_COMPACTIONS = 3;

export interface SessionEnv {
  readonly device: DeviceIdentity;
  readonly groupOptions: GroupOptions;
  readonly clock: ClockPort;
  readonly kv: KvStore;
  readonly transport: TransportPort;
  readonly emit: (event: KithEvent) => void;
  /** An ephemeral signal (typing, presence) from `sender`, as MLS authenticated it. */
  readonly signal: (session: RoomSession, sender: MemberDevice, signal: Uint8Array) => void;
}

/**
 * What a session lends the modules that do parts of its work (session-epochs.ts,
 * session-inbound.ts, session-outbox.ts): its private buffers, whose contents are stored and
 * emitted at its next `flush`, and its own sends.
 */
export interface SessionCore {
  readonly session: RoomSession;
  readonly env: SessionEnv;
  /** Queues an event for the next flush. */
  note(event: KithEvent): void;
  /** Queues storing the head epoch's state (its ratchets moved). */
  saveHead(): void;
  /** Counts a message opened; the head epoch's state is stored now and then (see the session). */
  opened(): void;
  /** Publishes a message carrying own updates `seqs` (for their delivery states). */
  publish(message: Uint8Array, seqs?: readonly number[]): Promise<void>;
}

/**
 * One room on this device: its MLS group (control plane), its timeline document (data plane),
 * what it has stored, and what it still owes other members. Every method runs to completion
 * before the next starts (the client serialises them), stores what changed in one batch, and
 * only then emits events and sends.
 */
export class RoomSession {
  readonly roomId: RoomId;
  readonly topic: string;
  group: ConversationGroup;
  readonly doc: ConversationDoc;
  readonly history: ControlHistory;
  readonly store: RoomStore;
  readonly #env: SessionEnv;
  readonly #core: SessionCore;
  /** Own updates no other member is known to hold, and when to publish them again. */
  readonly outbox: Outbox;
  /** Which own updates were published, and which a relay keeps (delivery states). */
  readonly delivery = new DeliveryLog();
  /** Devices nothing may reach until a removal undone by a fork is made again. */
  readonly embargo = new Embargo();
  /** This device's control-plane changes, stored, to make again should a fork undo them. */
  readonly intents: IntentLog;
  /** Welcomes not yet acknowledged by a hello from the invited device. */
  readonly pendingWelcomes = new Map<DeviceId, Uint8Array>();
  /** Where each peer stood at its last hello (for the sync status). */
  readonly peers = new Map<DeviceId, PeerPosition>();
  #ops: KvOperation[] = [];
  #sinceSnapshot = 0;
  /** Messages opened since the head epoch's state was last stored (see `SessionCore.opened`). */
  #unsavedReceives = 0;
  #lastSync = '';
  #events: KithEvent[] = [];
  /** Compactions still due after bodies were purged (see `compactPurged`). */
  #compactions = 0;

  constructor(
    env: SessionEnv,
    group: ConversationGroup,
    history: ControlHistory,
    doc: ConversationDoc | undefined,
    intents?: IntentLog,
  ) {
    this.#env = env;
    this.#core = {
      session: this,
      env,
      note: (e) => {
        this.#events.push(e);
      },
      saveHead: () => {
        this.#saveHead();
      },
      // Opening a message moves only the sender's receive ratchet, which an older stored state
      // can move again after a crash (the messages come again by sync and are deduplicated).
      // Storing the whole group state after every message was a tenth of a delivery's cost, so
      // it is stored every 64 messages, and before any send or close.
      opened: () => {
        if (++this.#unsavedReceives >= 64) this.saveRatchets();
      },
      publish: (message, seqs) => publishTracked(this.#core, message, seqs),
    };
    this.group = group;
    this.history = history;
    this.roomId = toHex(group.groupId) as RoomId;
    this.topic = roomTopic(group.groupId);
    this.store = new RoomStore(env.kv, group.groupId);
    this.intents = intents ?? IntentLog.empty(this.store);
    this.outbox = new Outbox(this.store);
    this.doc =
      doc ??
      new ConversationDoc({
        room: group.groupId,
        device: env.device.keyPair,
        controlPlane: history,
        deviceIdOf: deviceIdFromPublicKey,
        now: () => env.clock.now(),
      });
    this.doc.onChange((changes) => {
      if (changes.length > 0) this.#events.push({ type: 'timeline', roomId: this.roomId, changes });
    });
    this.doc.onMetaChange((device, keys) => {
      this.#events.push({ type: 'meta', roomId: this.roomId, device, keys });
    });
  }

  get active(): boolean {
    return this.group.active;
  }

  members(): MemberDevice[] {
    return this.group.members();
  }

  isMemberDevice(device: DeviceId): boolean {
    return this.group.members().some((m) => m.deviceId === device);
  }

  // ---- local actions --------------------------------------------------------------------

  /** Writes MIMI content entries as one signed update, stores it, and publishes it. */
  async write(contents: readonly Uint8Array[]): Promise<void> {
    this.#requireActive();
    await publishOwn(this.#core, this.doc.writeMany(contents, this.#env.clock.now()));
  }

  /**
   * Sets a value of this device's `meta:` map (read marker, relays, ...) for every member,
   * unless it already holds exactly that value.
   */
  async writeMeta(key: string, value: Uint8Array): Promise<void> {
    this.#requireActive();
    const current = this.doc.ownMeta(key);
    if (current !== undefined && bytesEqual(current, value)) return;
    await publishOwn(this.#core, this.doc.setMeta(key, value));
  }

  /**
   * Sends a signal of the ephemeral plane: an MLS message like any other (the ratchet state
   * it moved is stored first), but nothing of it is kept, and relays are not asked to keep it.
   */
  async publishSignal(signal: Uint8Array): Promise<void> {
    this.#requireActive();
    await rotateIfWorn(this.#core);
    const message = await this.group.encrypt(encodeSignalPayload(signal));
    this.#saveHead();
    await this.flush();
    await this.#env.transport
      .publish(this.topic, message, { ephemeral: true })
      .catch(() => undefined);
  }

  /** Commits a control-plane change; a refusal throws a ClientError and changes nothing. */
  async change(intent: Intent): Promise<void> {
    this.#requireActive();
    await commitIntent(this.#core, intent);
  }

  /** Makes again the changes a fork undid (also after a restart: they are stored). */
  makeIntentsAgain(): Promise<void> {
    return makeIntentsAgain(this.#core);
  }

  /**
   * Comes back into the room from a GroupInfo (docs/PROTOCOL.md §7): only when that chain is
   * ahead of this device's (so two devices never swap places), was sent and signed by members
   * of this device's chain, and undoes no removal it accepted; with an external commit that
   * replaces this device's leaf. The timeline is kept; the outbox is sent again on the new
   * chain. Returns whether the device rejoined.
   */
  async rejoin(groupInfo: Uint8Array, from: DeviceId): Promise<boolean> {
    const info = groupInfoHead(groupInfo);
    if (info === undefined || !this.group.active) return false;
    if (!isAhead(info, this.group.head)) return false;
    const refusal = groupInfoRefusal(groupInfo, from, this.members(), this.group.chain);
    if (refusal !== undefined) {
      this.#events.push({ type: 'rejected', roomId: this.roomId, reason: `rejoin: ${refusal}` });
      return false;
    }
    const kp = await createDeviceKeyPackage(this.#env.device, this.#env.groupOptions.cs);
    const result = await ConversationGroup.rejoin(
      groupInfo,
      kp.publicPackage,
      kp.privatePackage,
      this.#env.groupOptions,
    );
    if (typeof result === 'string') {
      this.#events.push({ type: 'rejected', roomId: this.roomId, reason: `rejoin: ${result}` });
      return false;
    }
    await this.replaceGroup(result.group);
    await this.#publish(result.commit);
    await this.resendOutbox();
    return true;
  }

  /**
   * Moves the room to another MLS group state of the same group (a rejoin, or a newer Welcome
   * after the commit that carried an older one lost a fork). The timeline, this device's chain
   * of updates and its outbox stay: writing them anew would fork its own chain.
   */
  async replaceGroup(group: ConversationGroup): Promise<void> {
    for (const r of this.group.chain) this.#ops.push(this.store.delEpoch(r.epoch));
    this.group = group;
    this.history.record(group.chain);
    const head = group.head;
    this.#ops.push(this.store.putEpoch(head), this.store.putHistory(head));
    for (const d of group.members())
      this.#ops.push(this.store.putAuthor(d.publicKey, d.certificate));
    this.doc.applyCuts();
    this.doc.retryPending();
    await this.flush();
  }

  /** Proposes the removal of all of this user's devices; another member commits it. */
  async leave(): Promise<void> {
    this.#requireActive();
    const self = this.group.self();
    if (self === undefined) throw new ClientError('NOT_IN_ROOM', 'this device is not in the room');
    const messages: Uint8Array[] = [];
    for (const m of this.members()) {
      if (m.userId === self.userId) {
        messages.push(
          await this.group.propose({ proposalType: 'remove', remove: { removed: m.leafIndex } }),
        );
      }
    }
    this.#saveHead();
    await this.flush();
    for (const m of messages) await this.#publish(m);
  }

  // ---- inbound ---------------------------------------------------------------------------

  /** Handles one MLS message of this room (from the topic, or from a sync frame). */
  async receiveGroupMessage(bytes: Uint8Array): Promise<void> {
    const queue = [bytes];
    for (let i = 0; i < queue.length && i < 10_000; i++) {
      const outcome = await this.group.receive(queue[i] ?? new Uint8Array());
      await handleOutcome(this.#core, outcome);
      queue.push(...this.group.takeReleased());
    }
    await this.flush();
  }

  /** Judges one signed update; stores it unless it was refused or already held. */
  receiveUpdate(encoded: Uint8Array): void {
    const verdict = this.doc.receive(encoded);
    if (verdict.verdict === 'rejected') {
      this.#events.push({
        type: 'rejected',
        roomId: this.roomId,
        reason: `update ${verdict.reason}: ${verdict.detail}`,
      });
      return;
    }
    if (verdict.verdict === 'duplicate') return;
    const head = authorAndSeq(encoded);
    if (head !== undefined) this.#ops.push(this.store.putUpdate(head.author, head.seq, encoded));
    this.#sinceSnapshot++;
  }

  /** From the client's timer: commits proposals nobody else committed. */
  async commitStaleProposals(): Promise<void> {
    await commitPendingProposals(this.#core, true);
  }

  /** Publishes own updates no member has confirmed, unless an embargo holds them back. */
  resendOutbox(): Promise<void> {
    return resendUnconfirmed(this.#core);
  }

  /** Stores the head epoch's state if messages were opened since it was last stored. */
  saveRatchets(): void {
    if (this.#unsavedReceives > 0) this.#saveHead();
  }

  #saveHead(): void {
    this.#unsavedReceives = 0;
    this.#ops.push(this.store.putEpoch(this.group.head));
  }

  /** Marks own updates up to `seq` as held by another member. */
  acknowledge(seq: number): void {
    this.#ops.push(...this.outbox.acknowledge(seq));
    this.delivery.prune((s) => this.outbox.has(s));
  }

  /** Encrypts a batch of updates for a sync answer (an MLS message of the current epoch). */
  sealUpdates(updates: readonly Uint8Array[]): Promise<Uint8Array[]> {
    return sealForSync(this.#core, updates);
  }

  async sendTo(device: DeviceId, frame: Uint8Array): Promise<void> {
    await this.#env.transport.sendTo(device, frame).catch(() => undefined);
  }

  sendFrame(device: DeviceId, frame: DirectFrame): Promise<void> {
    return this.sendTo(device, encodeDirectFrame(frame));
  }

  /** Writes what the last steps changed in one batch, then emits their events. */
  async flush(): Promise<void> {
    // A snapshot bounds the work of reopening: taken once a quarter of what is stored (and at
    // least 1000 updates) came after the last one, so its cost stays proportional.
    if (this.#sinceSnapshot >= 1000 && this.#sinceSnapshot * 4 >= heldUpdates(this.doc)) {
      this.#ops.push(this.store.putSnapshot(this.doc.snapshot({ bodies: false })));
      this.#sinceSnapshot = 0;
    }
    const bodies = this.doc.takeStoreChanges();
    if (bodies.purged.length > 0) this.#compactions = PURGE_COMPACTIONS;
    this.#ops.push(...this.store.bodyOps(bodies));
    const ops = this.#ops;
    this.#ops = [];
    if (ops.length > 0) await this.#env.kv.batch(ops);
    const events = this.#events;
    this.#events = [];
    for (const e of events) this.#env.emit(e);
  }

  /**
   * Disappearing messages: takes out and purges what expired by the clock (docs/PROTOCOL.md
   * §6.1), then compacts purged bodies out of the database files.
   */
  async expire(): Promise<void> {
    this.doc.expire(this.#env.clock.now());
    await this.flush();
    await this.compactPurged();
  }

  /**
   * Makes purged bodies leave the database files too. Batched: called from the tick and on
   * close, not after every purge (a compaction rewrites the files of the whole body range),
   * and on a few ticks in a row, since LevelDB keeps what a concurrent reader could still see.
   */
  async compactPurged(): Promise<void> {
    if (this.#compactions === 0) return;
    this.#compactions--;
    await this.#env.kv.compact(this.store.bodyPrefix);
  }

  /** Queues a `sync` event if the room's sync status changed since the last one. */
  reportSync(status: SyncStatus): void {
    const key = `${status.epoch}/${status.complete}/${status.waitingUpdates}/${status.waitingEpochs}/${status.unsent}`;
    if (key === this.#lastSync) return;
    this.#lastSync = key;
    this.#events.push({ type: 'sync', status });
  }

  queue(ops: readonly KvOperation[]): void {
    this.#ops.push(...ops);
  }

  async #publish(message: Uint8Array): Promise<void> {
    await this.#env.transport.publish(this.topic, message).catch(() => undefined);
  }

  #requireActive(): void {
    if (!this.group.active)
      throw new ClientError('NOT_IN_ROOM', 'this device is no longer in the room');
  }
}
