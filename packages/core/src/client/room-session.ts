import { bytesEqual, toHex } from '../crypto/bytes.ts';
import type { ConversationGroup, GroupOptions } from '../group/conversation-group.ts';
import type { MemberDevice } from '../group/leaves.ts';
import { deviceIdFromPublicKey } from '../identity/user-id.ts';
import type { DeviceIdentity } from '../identity/identities.ts';
import type { DeviceId, RoomId } from '../ids.ts';
import type { ClockPort } from '../ports/clock.ts';
import type { TransportPort } from '../ports/transport.ts';
import type { KvStore } from '../storage/store.ts';
import type { DirectFrame } from '../sync/frames.ts';
import { roomTopic } from '../sync/topic.ts';
import { ConversationDoc } from '../timeline/conversation-doc.ts';
import type { ControlHistory } from './control-history.ts';
import { CurrentGroup } from './current-group.ts';
import { Embargo } from './embargo.ts';
import { ClientError } from './errors.ts';
import type { KithEvent, SyncStatus } from './events.ts';
import type { Intent } from './intent.ts';
import { IntentLog } from './intent-log.ts';
import { DeliveryLog } from './message-status.ts';
import { Outbox } from './outbox.ts';
import { PeerPositions, PendingWelcomes, type PeerPosition } from './peer-state.ts';
import { ChainSwitch } from './chain-switch.ts';
import { RoomEpochs } from './room-epochs.ts';
import { RoomInbound } from './room-inbound.ts';
import { RoomSender } from './room-sender.ts';
import { RoomStore } from './room-store.ts';
import { RoomWire } from './room-wire.ts';
import { SessionBatch } from './session-batch.ts';

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
 * One room on this device: its MLS group (control plane), its timeline document (data plane),
 * what it has stored, and what it still owes other members. The work is done by parts that
 * each own one concern (current-group, session-batch, room-epochs, room-sender, room-inbound,
 * and the small stateful classes they share); this class builds them and is the room's API.
 * Every method runs to completion before the next starts (the client serialises them),
 * stores what changed in one batch, and only then emits events and sends.
 */
export class RoomSession {
  readonly roomId: RoomId;
  readonly topic: string;
  readonly doc: ConversationDoc;
  readonly history: ControlHistory;
  readonly store: RoomStore;
  /** Own updates no other member is known to hold, and when to publish them again. */
  readonly outbox: Outbox;
  /** Which own updates were published, and which a relay keeps (delivery states). */
  readonly delivery = new DeliveryLog();
  /** Devices nothing may reach until a removal undone by a fork is made again. */
  readonly embargo = new Embargo();
  /** Welcomes not yet acknowledged by a hello from the invited device. */
  readonly pendingWelcomes = new PendingWelcomes();
  /** Where each peer stood at its last hello (for the sync status). */
  readonly peers = new PeerPositions();
  readonly #env: SessionEnv;
  readonly #current: CurrentGroup;
  readonly #batch: SessionBatch;
  readonly #wire: RoomWire;
  readonly #epochs: RoomEpochs;
  readonly #switch: ChainSwitch;
  readonly #sender: RoomSender;
  readonly #inbound: RoomInbound;
  #lastSync = '';

  constructor(
    env: SessionEnv,
    group: ConversationGroup,
    history: ControlHistory,
    doc: ConversationDoc | undefined,
    intents?: IntentLog,
  ) {
    this.#env = env;
    this.history = history;
    this.roomId = toHex(group.groupId) as RoomId;
    this.topic = roomTopic(group.groupId);
    this.store = new RoomStore(env.kv, group.groupId);
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
    const batch = new SessionBatch(env.kv, this.store, this.doc, env.emit);
    this.#batch = batch;
    this.#current = new CurrentGroup(group, this.store, batch);
    this.#wire = new RoomWire(env.transport, this.topic);
    const log = intents ?? IntentLog.empty(this.store);
    const shared = {
      roomId: this.roomId,
      current: this.#current,
      doc: this.doc,
      history,
      store: this.store,
      batch,
    };
    this.#epochs = new RoomEpochs({
      ...shared,
      intents: log,
      embargo: this.embargo,
      welcomes: this.pendingWelcomes,
      wire: this.#wire,
      options: env.groupOptions,
    });
    this.#switch = new ChainSwitch({
      ...shared,
      intents: log,
      embargo: this.embargo,
      wire: this.#wire,
      epochs: this.#epochs,
      device: env.device,
      groupOptions: env.groupOptions,
    });
    this.#sender = new RoomSender({
      ...shared,
      outbox: this.outbox,
      embargo: this.embargo,
      delivery: this.delivery,
      wire: this.#wire,
      rotation: this.#epochs,
      clock: env.clock,
      statusMoved: () => {
        env.emit({ type: 'messageStatus', roomId: this.roomId });
      },
    });
    this.#inbound = new RoomInbound({
      ...shared,
      epochs: this.#epochs,
      switcher: this.#switch,
      resend: () => this.#sender.resendUnconfirmed(),
      signal: (sender, signal) => {
        env.signal(this, sender, signal);
      },
    });
    this.doc.onChange((changes) => {
      if (changes.length > 0) batch.note({ type: 'timeline', roomId: this.roomId, changes });
    });
    this.doc.onMetaChange((device, keys) => {
      batch.note({ type: 'meta', roomId: this.roomId, device, keys });
    });
  }

  /** The MLS group the room follows now (replaced only by `rejoin` and `replaceGroup`). */
  get group(): ConversationGroup {
    return this.#current.group;
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

  /**
   * A member's hello (`reply` when it answered ours): where it stands now, and that any Welcome
   * owed to it arrived.
   */
  heardFrom(device: DeviceId, position: PeerPosition, reply: boolean): void {
    this.pendingWelcomes.acknowledged(device);
    this.peers.heard(device, position, reply);
  }

  /** Stores what a room just created or joined starts from, before anything else. */
  async storeStart(): Promise<void> {
    const head = this.group.head;
    this.#batch.queue([
      this.store.putMeta({ joinedEpoch: head.epoch }),
      this.store.putEpoch(head),
      this.store.putHistory(head),
      ...this.group.members().map((d) => this.store.putAuthor(d.publicKey, d.certificate)),
    ]);
    await this.#batch.flush();
  }

  // ---- local actions --------------------------------------------------------------------

  /** Writes MIMI content entries as one signed update, stores it, and publishes it. */
  async write(contents: readonly Uint8Array[]): Promise<void> {
    this.#requireActive();
    await this.#sender.publishOwn(this.doc.writeMany(contents, this.#env.clock.now()));
  }

  /**
   * Sets a value of this device's `meta:` map (read marker, relays, ...) for every member,
   * unless it already holds exactly that value.
   */
  async writeMeta(key: string, value: Uint8Array): Promise<void> {
    this.#requireActive();
    const current = this.doc.ownMeta(key);
    if (current !== undefined && bytesEqual(current, value)) return;
    await this.#sender.publishOwn(this.doc.setMeta(key, value));
  }

  /** Sends a signal of the ephemeral plane (typing, presence); nothing of it is kept. */
  async publishSignal(signal: Uint8Array): Promise<void> {
    this.#requireActive();
    await this.#sender.signal(signal);
  }

  /** Commits a control-plane change; a refusal throws a ClientError and changes nothing. */
  change(intent: Intent): Promise<void> {
    return this.#epochs.commit(intent);
  }

  /** Makes again the changes a fork undid (also after a restart: they are stored). */
  makeIntentsAgain(): Promise<void> {
    return this.#epochs.makeIntentsAgain();
  }

  /**
   * Comes back into the room from a GroupInfo when the chain it describes is ahead and takes
   * nothing back (see ChainSwitch.rejoin); the outbox is then sent again on the new chain.
   * Returns whether the device rejoined.
   */
  async rejoin(groupInfo: Uint8Array, from: DeviceId): Promise<boolean> {
    if (!(await this.#switch.rejoin(groupInfo, from))) return false;
    await this.resendOutbox();
    return true;
  }

  /**
   * Moves the room to another MLS group state of the same group (a newer Welcome after the
   * commit that carried an older one lost a fork); see ChainSwitch.replaced.
   */
  async replaceGroup(group: ConversationGroup): Promise<void> {
    await this.#switch.replaced(group);
    await this.#epochs.makeIntentsAgain();
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
    this.#current.saveHead();
    await this.flush();
    for (const m of messages) await this.#wire.publish(m);
  }

  // ---- inbound ---------------------------------------------------------------------------

  /** Handles one MLS message of this room (from the topic, or from a sync frame). */
  receiveGroupMessage(bytes: Uint8Array): Promise<void> {
    return this.#inbound.receiveGroupMessage(bytes);
  }

  /** Judges one signed update; stores it unless it was refused or already held. */
  receiveUpdate(encoded: Uint8Array): void {
    this.#inbound.receiveUpdate(encoded);
  }

  /** From the client's timer: commits proposals nobody else committed. */
  commitStaleProposals(): Promise<void> {
    return this.#epochs.commitPending(true);
  }

  // ---- outbound --------------------------------------------------------------------------

  /** Publishes own updates no member has confirmed, unless an embargo holds them back. */
  resendOutbox(): Promise<void> {
    return this.#sender.resendUnconfirmed();
  }

  /** Marks own updates up to `seq` as held by another member. */
  acknowledge(seq: number): void {
    this.#sender.acknowledge(seq);
  }

  /** Encrypts a batch of updates for a sync answer (an MLS message of the current epoch). */
  sealUpdates(updates: readonly Uint8Array[]): Promise<Uint8Array[]> {
    return this.#sender.seal(updates);
  }

  sendTo(device: DeviceId, frame: Uint8Array): Promise<void> {
    return this.#wire.sendTo(device, frame);
  }

  sendFrame(device: DeviceId, frame: DirectFrame): Promise<void> {
    return this.#wire.sendFrame(device, frame);
  }

  // ---- storage ---------------------------------------------------------------------------

  /** Writes what the last steps changed in one batch, then emits their events. */
  flush(): Promise<void> {
    return this.#batch.flush();
  }

  /**
   * Disappearing messages: takes out and purges what expired by the clock (docs/PROTOCOL.md
   * §6.1), then compacts purged bodies out of the database files.
   */
  async expire(): Promise<void> {
    this.doc.expire(this.#env.clock.now());
    await this.#batch.flush();
    await this.#batch.compactPurged();
  }

  /** What closing owes: the ratchets moved since last stored, and a snapshot for a fast start. */
  async close(): Promise<void> {
    this.#current.saveRatchets();
    this.#batch.snapshot();
    await this.#batch.flush();
    await this.#batch.compactPurged();
  }

  /** Queues a `sync` event if the room's sync status changed since the last one. */
  reportSync(status: SyncStatus): void {
    const key = `${status.epoch}/${status.complete}/${status.waitingUpdates}/${status.waitingEpochs}/${status.unsent}`;
    if (key === this.#lastSync) return;
    this.#lastSync = key;
    this.#batch.note({ type: 'sync', status });
  }

  #requireActive(): void {
    if (!this.group.active)
      throw new ClientError('NOT_IN_ROOM', 'this device is no longer in the room');
  }
}
