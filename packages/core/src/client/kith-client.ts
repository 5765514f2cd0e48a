import { encodeContent } from '../content/codec.ts';
import type { MessageOptions } from '../content/builders.ts';
import { contentMessageId, type MessageId } from '../content/message-id.ts';
import type { MimiContent } from '../content/model.ts';
import { bytesEqual, toHex } from '../crypto/bytes.ts';
import { ConversationGroup } from '../group/conversation-group.ts';
import { createDeviceKeyPackage } from '../group/key-package.ts';
import { kithClientConfig, loadCiphersuite } from '../group/suite.ts';
import { kithAuthenticationService } from '../identity/credential.ts';
import type { DeviceIdentity, UserIdentity } from '../identity/identities.ts';
import type { DeviceId, RoomId, UserId } from '../ids.ts';
import { systemClock, type ClockPort } from '../ports/clock.ts';
import { webRandom, type RandomPort } from '../ports/random.ts';
import type { InboundMessage, TransportPort } from '../ports/transport.ts';
import { Roles, type RoleName } from '../room/roles.ts';
import type { HistorySharing, RoomState } from '../room/room-state.ts';
import { StorageError } from '../storage/errors.ts';
import { KvStore, type KvDatabase } from '../storage/store.ts';
import { decodeDirectFrame, type DirectFrame } from '../sync/frames.ts';
import { exportEpochSecrets } from '../group/exporter.ts';
import {
  MAILBOX_EXPORTER_CONTEXT,
  MAILBOX_EXPORTER_LABEL,
  mailboxKeyOf,
  type MailboxKey,
} from '../relay/mailbox.ts';
import { roomUri, userUri } from '../timeline/uris.ts';
import type { TimelineMessage } from '../timeline/timeline-message.ts';
import { ClientError } from './errors.ts';
import { SerialQueue } from './serial-queue.ts';
import { Emitter, type KithEventOf, type KithEventType, type SyncStatus } from './events.ts';
import { loadIdentity, type LinkedDevice } from './identity-store.ts';
import { encodeDeviceCertificate, issueDeviceCertificate } from '../identity/device-certificate.ts';
import {
  initialRoomState,
  historyIntent,
  inviteIntent,
  invitesRestrictedIntent,
  profileIntent,
  readKeyPackage,
  roleIntent,
  unbanIntent,
  type Intent,
  type ProfileChange,
} from './intent.ts';
import {
  composeEdit,
  composeMessage,
  composeReaction,
  composeRetraction,
  composeUnreaction,
  type SendOptions,
} from './compose.ts';
import { summarize, type RoomSummary } from './summary.ts';
import { withExpiry } from './disappearing.ts';
import { checkRelayList, encodeRelayList, RELAYS_META_KEY, roomRelays } from './room-relays.ts';
import { openWelcome } from './welcome.ts';
import { SignalEngine } from './signal-engine.ts';
import type { UserPresence } from '../signals/presence.ts';
import type { MessageReceipts, RoomReceipts } from '../signals/receipts.ts';
import type { SignalSettings } from '../signals/settings.ts';
import type { PresenceState } from '../signals/signal-codec.ts';
import {
  announceProfile,
  loadOwnProfile,
  membersOf,
  mentionEvents,
  newOwnProfile,
  storeOwnProfile,
  type ProfileInput,
} from './people.ts';
import type { DeviceProfile } from '../people/profile.ts';
import type { RoomMember } from '../people/members.ts';
import { threadMessages, threadsOf, type ThreadSummary } from '../timeline/threads.ts';
import { capabilitiesOf, type UserCapabilities } from '../room/user-capabilities.ts';
import { SafetySettings, type BlockedUser, type InvitePolicy } from './safety-settings.ts';
import {
  judgeInvite,
  refuseDmWithBlocked,
  visibleEvent,
  visibleTimeline,
} from './safety-policy.ts';
import { KeyPackageStore } from './key-package-store.ts';
import { openSession, startSession } from './session-loader.ts';
import { RoomStore } from './room-store.ts';
import type { RoomSession, SessionEnv } from './room-session.ts';
import { handleSyncFrame, helloFrame, syncStatusOf, tickRoom } from './room-sync.ts';

export interface KithClientOptions {
  /** An abstract-level database opened with `KvStore.databaseOptions`. */
  readonly storage: KvDatabase;
  /**
   * The network, built for this device once its identity is known (the libp2p peer ID is
   * derived from the device key, so the runtime needs the key first).
   */
  readonly transport: (device: DeviceIdentity) => TransportPort | Promise<TransportPort>;
  readonly clock?: ClockPort;
  readonly random?: RandomPort;
  /** Shown to the user's other devices; used only when this device is created. */
  readonly deviceName?: string;
  /**
   * On first open only: make this a further device of an existing user instead of a new user.
   * Generate the key with `generateSigningKeyPair`, and have a device of the user that holds
   * the user key certify it (`certifyDevice`).
   */
  readonly linkedDevice?: LinkedDevice;
  /** Epochs kept for fork resolution (default 16). */
  readonly retainEpochs?: number;
  /** Messages this device sends in one epoch before it starts a new one (default 4000). */
  readonly rotateAfterMessages?: number;
  /** Called with errors thrown by event handlers or by background work. */
  readonly onError?: (error: unknown) => void;
  /** Whether a user is one of this user's contacts, for the 'contacts' invite policy. */
  readonly isContact?: (user: UserId) => boolean;
}

/**
 * One device's Kith: its identity, its rooms, and the protocols between them. The runtime
 * gives it ports (storage, transport, clock, randomness); it has no IO of its own. Methods
 * are what a user does; events (`on`) are what a user sees. Inputs are handled one at a time,
 * in order, so the device's state never sees two changes interleaved.
 */
export class KithClient {
  readonly #kv: KvStore;
  readonly #transport: TransportPort;
  readonly #random: RandomPort;
  readonly #user: UserIdentity | undefined;
  readonly #device: DeviceIdentity;
  readonly #keyPackages: KeyPackageStore;
  readonly #env: SessionEnv;
  readonly #emitter: Emitter;
  readonly #onError: (error: unknown) => void;
  readonly #sessions = new Map<RoomId, RoomSession>();
  readonly #byTopic = new Map<string, RoomSession>();
  readonly #reachable = new Set<DeviceId>();
  readonly #unsubscribe: (() => void)[] = [];
  readonly #queue = new SerialQueue();
  readonly #safety: SafetySettings;
  readonly #isContact: (user: UserId) => boolean;
  /** Rooms whose invitation was refused this run, so a resent Welcome is reported once. */
  readonly #refusedInvites = new Set<string>();
  #failed: StorageError | undefined;
  #relays: readonly string[] = [];
  /** The profile this device publishes in every room it is in (see setProfile). */
  #profile: DeviceProfile | undefined;
  /** Receipts, typing and presence (set in `open`). */
  #signals!: SignalEngine;

  private constructor(
    kv: KvStore,
    options: KithClientOptions,
    identity: { user: UserIdentity | undefined; device: DeviceIdentity },
    env: Omit<SessionEnv, 'emit' | 'signal'>,
    keyPackages: KeyPackageStore,
    safety: SafetySettings,
  ) {
    this.#kv = kv;
    this.#safety = safety;
    this.#isContact = options.isContact ?? (() => false);
    this.#transport = env.transport;
    this.#random = options.random ?? webRandom;
    this.#user = identity.user;
    this.#device = identity.device;
    this.#keyPackages = keyPackages;
    this.#onError = options.onError ?? (() => undefined);
    this.#emitter = new Emitter(this.#onError);
    this.#env = {
      ...env,
      emit: (e) => {
        // Blocked users' messages are kept but not shown (docs/ARCHITECTURE.md, personal safety).
        const shown = visibleEvent(e, (u) => this.#safety.isBlocked(u));
        if (shown !== undefined) this.#emitter.emit(shown);
        if (shown !== undefined) {
          for (const m of mentionEvents(shown, this.userId)) this.#emitter.emit(m);
        }
      },
      signal: (session, sender, signal) => {
        this.#signals.receive(session, sender, signal);
      },
    };
  }

  /** Opens the device in `storage`, creating its identity on first use. */
  static async open(options: KithClientOptions): Promise<KithClient> {
    const kv = await KvStore.open(options.storage);
    const clock = options.clock ?? systemClock;
    const random = options.random ?? webRandom;
    const identity = await loadIdentity(
      kv,
      random,
      clock,
      options.deviceName ?? 'device',
      options.linkedDevice,
    );
    const cs = await loadCiphersuite();
    const retain = options.retainEpochs ?? 16;
    const config = kithClientConfig(kithAuthenticationService(), retain);
    const transport = await options.transport(identity.device);
    const env = {
      device: identity.device,
      groupOptions: {
        cs,
        config,
        retainEpochs: retain,
        ...(options.rotateAfterMessages === undefined
          ? {}
          : { rotateAfterMessages: options.rotateAfterMessages }),
      },
      clock,
      kv,
      transport,
    };
    const client = new KithClient(
      kv,
      options,
      identity,
      env,
      new KeyPackageStore(kv, cs, identity.device),
      await SafetySettings.load(kv),
    );
    client.#profile = await loadOwnProfile(kv);
    await client.#startSignals();
    await client.#loadRooms();
    client.#listen();
    return client;
  }

  get userId(): UserId {
    return this.#device.userId;
  }

  get deviceId(): DeviceId {
    return this.#device.deviceId;
  }

  get device(): DeviceIdentity {
    return this.#device;
  }

  /** The user identity key, if this device holds it (the first device of a user does). */
  get userIdentity(): UserIdentity | undefined {
    return this.#user;
  }

  on<T extends KithEventType>(type: T, handler: (event: KithEventOf<T>) => void): () => void {
    return this.#emitter.on(type, handler);
  }

  /**
   * Certifies another device of this user (its public key, from `generateSigningKeyPair` on the
   * new device), for it to open with `linkedDevice`. Only a device holding the user key can.
   * Then invite the new device's key package into each room: a user may add its own devices.
   */
  certifyDevice(devicePublicKey: Uint8Array, deviceName: string): Uint8Array {
    const user = this.#user;
    if (user === undefined) {
      throw new ClientError(
        'NOT_ALLOWED',
        'this device does not hold the user key: certify from the first device',
      );
    }
    return encodeDeviceCertificate(
      issueDeviceCertificate(user.keyPair, devicePublicKey, deviceName, this.#env.clock.now()),
    );
  }

  /** A fresh key package, to hand to someone who will invite this device. */
  createKeyPackage(): Promise<Uint8Array> {
    return this.#run(() => this.#keyPackages.create());
  }

  // ---- rooms -----------------------------------------------------------------------------

  /**
   * Creates a room with this user as owner. A DM (`dm: true`) has exactly two users: give the
   * other user's key packages (one per device) in `invite`, and both users are owners.
   */
  createRoom(
    options: { name?: string; topic?: string; dm?: boolean; invite?: readonly Uint8Array[] } = {},
  ): Promise<RoomId> {
    return this.#run(async () => {
      const invites = (options.invite ?? []).map(readKeyPackage);
      const room = initialRoomState(this.userId, options, invites);
      if (room.kind === 'dm') refuseDmWithBlocked(room, (u) => this.#safety.isBlocked(u));
      const kp = await createDeviceKeyPackage(this.#device, this.#env.groupOptions.cs);
      const group = await ConversationGroup.create(
        this.#random.bytes(32),
        kp.publicPackage,
        kp.privatePackage,
        room,
        this.#env.groupOptions,
      );
      const session = await startSession(this.#env, group);
      this.#addSession(session);
      await announceProfile(session, this.#profile);
      if (invites.length > 0) await session.change(inviteIntent(invites));
      return session.roomId;
    });
  }

  /** Invites users: all the devices whose key packages are given. */
  invite(roomId: RoomId, keyPackages: readonly Uint8Array[]): Promise<void> {
    return this.#change(roomId, inviteIntent(keyPackages.map(readKeyPackage)));
  }

  /** Removes a user (all their devices) from the room. */
  remove(roomId: RoomId, user: UserId): Promise<void> {
    return this.#change(roomId, roleIntent(user, Roles.none));
  }

  /** Removes a user and keeps them from being added back until unbanned. */
  ban(roomId: RoomId, user: UserId): Promise<void> {
    return this.#change(roomId, roleIntent(user, Roles.banned));
  }

  unban(roomId: RoomId, user: UserId): Promise<void> {
    return this.#change(roomId, unbanIntent(user));
  }

  setRole(roomId: RoomId, user: UserId, role: Exclude<RoleName, 'none' | 'banned'>): Promise<void> {
    return this.#change(roomId, roleIntent(user, Roles[role]));
  }

  setRoomProfile(roomId: RoomId, profile: ProfileChange): Promise<void> {
    return this.#change(roomId, profileIntent(profile));
  }

  /** Restricts inviting to admins and owners (true) or opens it to members (false). */
  setInvitesRestricted(roomId: RoomId, restricted: boolean): Promise<void> {
    return this.#change(roomId, invitesRestrictedIntent(restricted));
  }

  /**
   * What members who join later may read of what is written from now on: everything (`all`),
   * or only what was written while they were members (`since-joined`). Needs
   * canChangeRoomMembershipStyle (admins, owners).
   */
  setHistorySharing(roomId: RoomId, history: HistorySharing): Promise<void> {
    return this.#change(roomId, historyIntent(history));
  }

  /** Leaves the room: proposes the removal of this user's devices, which another member commits. */
  leave(roomId: RoomId): Promise<void> {
    return this.#run(() => this.#session(roomId).leave());
  }

  rooms(): RoomSummary[] {
    return [...this.#sessions.values()].map(summarize);
  }

  room(roomId: RoomId): RoomSummary {
    return summarize(this.#session(roomId));
  }

  roomState(roomId: RoomId): RoomState {
    return this.#session(roomId).group.room;
  }

  // ---- people ----------------------------------------------------------------------------

  /**
   * Sets this user's display name (and avatar reference) as this device publishes it: in every
   * room it is in now and every room it joins later (meta key `profile`). Names are cleaned
   * (see cleanDisplayText); a name still longer than 64 characters is refused.
   */
  setProfile(profile: ProfileInput): Promise<void> {
    return this.#run(async () => {
      const next = newOwnProfile(
        profile,
        this.#device.certificate.deviceName,
        this.userId,
        this.#sessions.values(),
        this.#env.clock.now(),
      );
      await storeOwnProfile(this.#kv, next);
      this.#profile = next;
      for (const s of this.#sessions.values()) await announceProfile(s, next);
    });
  }

  /** The profile this device publishes, if one was set. */
  get profile(): DeviceProfile | undefined {
    return this.#profile;
  }

  /** The room's members: role, display name and avatar per user, name per device. */
  members(roomId: RoomId): RoomMember[] {
    return membersOf(this.#session(roomId));
  }

  /** What this user's role lets them do in the room, to show before they try. */
  capabilities(roomId: RoomId): UserCapabilities {
    return capabilitiesOf(this.#session(roomId).group.room, this.userId);
  }

  // ---- messages --------------------------------------------------------------------------

  send(roomId: RoomId, text: string, options: SendOptions = {}): Promise<MessageId> {
    this.#signals.sentMessage(roomId);
    return this.#write(roomId, (base, session) =>
      composeMessage(
        session,
        this.userId,
        text,
        options,
        withExpiry(base, options.expiresInMs, this.#env.clock.now()),
      ),
    );
  }

  /** Edits one of this user's messages (others refuse edits of someone else's). */
  edit(roomId: RoomId, messageId: MessageId, text: string): Promise<MessageId> {
    return this.#write(roomId, (base, session) =>
      composeEdit(session, this.userId, messageId, text, base),
    );
  }

  /** Retracts a message for everyone: one's own, or anyone's with canDeleteOtherMessage. */
  retract(roomId: RoomId, messageId: MessageId): Promise<MessageId> {
    return this.#write(roomId, (base, session) =>
      composeRetraction(session, this.userId, messageId, base),
    );
  }

  react(roomId: RoomId, messageId: MessageId, emoji: string): Promise<MessageId> {
    return this.#write(roomId, (base, session) =>
      composeReaction(session, this.userId, messageId, emoji, base),
    );
  }

  unreact(roomId: RoomId, messageId: MessageId, emoji: string): Promise<MessageId> {
    return this.#write(roomId, (base, session) =>
      composeUnreaction(session, this.userId, messageId, emoji, base),
    );
  }

  /** The room's messages as this user sees them: those of blocked users are left out. */
  timeline(roomId: RoomId): readonly TimelineMessage[] {
    return visibleTimeline(this.#session(roomId).doc.timeline(), (u) => this.#safety.isBlocked(u));
  }

  /** The room's threads (MIMI topics), the most recently active first. */
  threads(roomId: RoomId): ThreadSummary[] {
    return threadsOf(this.timeline(roomId));
  }

  /** One thread's messages: its root (when held) and every message posted in it. */
  thread(roomId: RoomId, threadId: Uint8Array): TimelineMessage[] {
    return threadMessages(this.timeline(roomId), threadId);
  }

  syncStatus(roomId: RoomId): SyncStatus {
    return syncStatusOf(this.#session(roomId));
  }

  /**
   * The room's mailbox keys, one per retained epoch, oldest first, for relay mailboxes
   * (docs/PROTOCOL.md §12); undefined once this device is out of the room.
   */
  async mailboxKeys(roomId: RoomId): Promise<{ topic: string; keys: MailboxKey[] } | undefined> {
    const s = this.#session(roomId);
    if (!s.active) return undefined;
    const secrets = await exportEpochSecrets(
      [...s.group.chain],
      this.#env.groupOptions.cs,
      MAILBOX_EXPORTER_LABEL,
      MAILBOX_EXPORTER_CONTEXT,
    );
    return { topic: s.topic, keys: secrets.map((x) => mailboxKeyOf(x.epoch, x.secret)) };
  }

  // ---- personal safety -------------------------------------------------------------------

  /**
   * Blocks a user for this user on this device: their messages and reactions are hidden (kept,
   * so unblocking shows them again), their invitations and DMs refused. Nobody is told.
   */
  blockUser(user: UserId): Promise<void> {
    return this.#run(async () => {
      if (user === this.userId) {
        throw new ClientError('INVALID_ARGUMENT', 'you cannot block yourself');
      }
      if (await this.#safety.block(user, this.#env.clock.now())) {
        this.#env.emit({ type: 'blocked', user, blocked: true });
      }
    });
  }

  unblockUser(user: UserId): Promise<void> {
    return this.#run(async () => {
      if (await this.#safety.unblock(user)) {
        this.#env.emit({ type: 'blocked', user, blocked: false });
      }
    });
  }

  /** How many of a room's messages `timeline` leaves out because their senders are blocked. */
  hiddenCount(roomId: RoomId): number {
    const all = this.#session(roomId).doc.timeline();
    return all.filter((m) => this.#safety.isBlocked(m.sender)).length;
  }

  blockedUsers(): BlockedUser[] {
    return this.#safety.blocked();
  }

  isBlocked(user: UserId): boolean {
    return this.#safety.isBlocked(user);
  }

  /** Who may add this user to rooms: checked by this device on every invitation it receives. */
  setInvitePolicy(policy: InvitePolicy): Promise<void> {
    return this.#run(() => this.#safety.setInvitePolicy(policy));
  }

  get invitePolicy(): InvitePolicy {
    return this.#safety.invitePolicy;
  }

  // ---- receipts, typing, presence --------------------------------------------------------

  /**
   * Marks the room read up to `messageId` (never backwards). The position is kept on this
   * device and, when read receipts are on, published to the room (meta key `read`) at most
   * once per few seconds, however often this is called.
   */
  markRead(roomId: RoomId, messageId: MessageId): Promise<void> {
    return this.#run(() => this.#signals.markRead(this.#session(roomId), messageId));
  }

  /** How far this user has read in the room on this device. */
  readPosition(roomId: RoomId): MessageId | undefined {
    return this.#signals.readPosition(this.#session(roomId));
  }

  /** Who has a message (delivered) and who has read it, from every member device's markers. */
  receipts(roomId: RoomId, messageId: MessageId): MessageReceipts {
    const receipts = this.roomReceipts(roomId).of(messageId);
    if (receipts === undefined) {
      throw new ClientError('UNKNOWN_MESSAGE', 'no such message in the room');
    }
    return receipts;
  }

  /** The receipts of every message of the room at once (for a view of many messages). */
  roomReceipts(roomId: RoomId): RoomReceipts {
    const session = this.#session(roomId);
    if (!session.active) {
      throw new ClientError('NOT_IN_ROOM', 'this device is no longer in the room');
    }
    return this.#signals.receipts(session);
  }

  /**
   * The user is typing in the room (true) or stopped (false). Call it on every keystroke: at
   * most one signal goes out per few seconds, and none when typing notifications are off.
   */
  setTyping(roomId: RoomId, typing: boolean): Promise<void> {
    return this.#run(() => this.#signals.setTyping(this.#session(roomId), typing));
  }

  /** The users typing in the room now (others only). */
  typing(roomId: RoomId): UserId[] {
    return this.#signals.typing(this.#session(roomId));
  }

  /**
   * What the user is: online, away or offline. Nothing is announced until this is first
   * called; then every room hears of changes, and a refresh now and then (when presence is on).
   */
  setPresence(state: PresenceState): Promise<void> {
    return this.#run(() => this.#signals.setPresence(state, this.#sessions.values()));
  }

  /** A user's presence as last heard, or undefined when never heard. */
  presence(user: UserId): UserPresence | undefined {
    return this.#signals.presence(user);
  }

  /** The presence of everyone heard from. */
  presenceList(): UserPresence[] {
    return this.#signals.presenceAll();
  }

  /** Which signals this device sends (read and delivery receipts, typing, presence). */
  setSignals(change: Partial<SignalSettings>): Promise<void> {
    return this.#run(() => this.#signals.setSettings(change, this.#sessions.values()));
  }

  get signals(): SignalSettings {
    return this.#signals.settings;
  }

  async #startSignals(): Promise<void> {
    this.#signals = await SignalEngine.load({
      userId: this.userId,
      deviceId: this.deviceId,
      clock: this.#env.clock,
      kv: this.#kv,
      emit: (e) => {
        this.#env.emit(e);
      },
      hidden: (u) => this.#safety.isBlocked(u),
      anyoneThere: (s) => s.members().some((m) => this.#reachable.has(m.deviceId)),
    });
    this.#emitter.on('meta', (e) => {
      this.#signals.noteMeta(e);
    });
    this.#emitter.on('timeline', (e) => {
      this.#signals.noteTimeline(e);
    });
  }

  // ---- background ------------------------------------------------------------------------

  /**
   * Periodic work, called by the runtime (every few seconds): resends what no member has
   * confirmed, commits proposals nobody committed, and asks reachable members for news.
   */
  tick(): Promise<void> {
    return this.#run(async () => {
      for (const s of this.#sessions.values()) {
        await s.expire();
        await tickRoom(s, this.#reachable);
        await this.#announceRelays(s);
        await announceProfile(s, this.#profile);
      }
      await this.#signals.tick(this.#sessions.values());
    });
  }

  /**
   * The relays this device uses; every room it is in records them (meta key `relays`, written
   * at the next `tick`), so the other members leave messages there too.
   */
  setRelays(relays: readonly string[]): void {
    this.#relays = checkRelayList(relays);
  }

  /** The room whose messages go out on pub/sub `topic`, if this device is in it. */
  roomOfTopic(topic: string): RoomId | undefined {
    return this.#byTopic.get(topic)?.roomId;
  }

  /** The relays of a room's members (this device's first), to write to and read from. */
  roomRelays(roomId: RoomId): string[] {
    const session = this.#session(roomId);
    const announced = [...session.doc.metaValues(RELAYS_META_KEY)]
      .filter(([device]) => device !== this.#device.deviceId && session.isMemberDevice(device))
      .map(([, value]) => value);
    return roomRelays(this.#relays, announced);
  }

  async #announceRelays(session: RoomSession): Promise<void> {
    if (!session.active) return;
    const current = session.doc.ownMeta(RELAYS_META_KEY);
    if (current === undefined && this.#relays.length === 0) return;
    await session.writeMeta(RELAYS_META_KEY, encodeRelayList(this.#relays));
  }

  /** True when no input is waiting to be handled. */
  get isIdle(): boolean {
    return this.#queue.idle;
  }

  /** Resolves once every input received so far has been handled (for tests and shutdown). */
  idle(): Promise<void> {
    return this.#queue.drain();
  }

  /** Asks `device` for what this device lacks in every room both are in. */
  syncWith(device: DeviceId): Promise<void> {
    return this.#run(() => this.#helloAll(device));
  }

  /**
   * Stores a snapshot of every room (for a fast reopen) and releases the transport and the
   * database, even when that last write fails (the error is then rethrown).
   */
  async close(): Promise<void> {
    try {
      await this.#queue.run(async () => {
        this.#queue.close();
        for (const off of this.#unsubscribe) off();
        // After a storage failure the stored state is the truth: nothing more is written.
        if (this.#failed !== undefined) return;
        await this.#signals.close(this.#sessions.values());
        for (const s of this.#sessions.values()) {
          s.saveRatchets();
          s.queue([s.store.putSnapshot(s.doc.snapshot({ bodies: false }))]);
          await s.flush();
          await s.compactPurged();
        }
      });
    } finally {
      // The client built the transport (from the factory it was given), so it closes it too.
      await this.#transport.close();
      await this.#kv.close();
    }
  }

  // ---- internals -------------------------------------------------------------------------

  /**
   * Runs a task in turn. If storage fails under it (disk full, IO error), the device stops: its
   * memory may now be ahead of what is stored, and only what is stored is safe to continue
   * from. Nothing was sent for the failed step (sending comes after storing); every later call
   * fails with STORAGE_FAILED until the app reopens the device.
   */
  #run<T>(task: () => Promise<T>): Promise<T> {
    return this.#queue.run(async () => {
      if (this.#failed !== undefined) {
        throw new ClientError(
          'STORAGE_FAILED',
          `this device stopped after a storage failure (${this.#failed.code}): free space or fix the disk, then reopen it`,
          { cause: this.#failed },
        );
      }
      try {
        return await task();
      } catch (error) {
        if (error instanceof StorageError) {
          this.#failed = error;
          for (const off of this.#unsubscribe) off();
        }
        throw error;
      }
    });
  }

  /** Runs work that nobody awaits (inbound messages); its failures go to onError. */
  #background(task: () => Promise<void>): void {
    this.#run(task).catch((error: unknown) => {
      const quiet =
        error instanceof ClientError &&
        (error.code === 'CLOSED' || error.code === 'STORAGE_FAILED');
      if (!quiet) this.#onError(error);
    });
  }

  #session(roomId: RoomId): RoomSession {
    const s = this.#sessions.get(roomId);
    if (s === undefined) throw new ClientError('UNKNOWN_ROOM', `no room ${roomId} on this device`);
    return s;
  }

  #change(roomId: RoomId, intent: Intent): Promise<void> {
    return this.#run(() => this.#session(roomId).change(intent));
  }

  #write(
    roomId: RoomId,
    build: (base: MessageOptions, session: RoomSession) => MimiContent,
  ): Promise<MessageId> {
    return this.#run(async () => {
      const session = this.#session(roomId);
      if (!session.active) {
        throw new ClientError('NOT_IN_ROOM', 'this device is no longer in the room');
      }
      const base: MessageOptions = {
        salt: this.#random.bytes(16),
      };
      const content = encodeContent(build(base, session));
      await session.write([content]);
      return contentMessageId(content, userUri(this.userId), roomUri(roomId));
    });
  }

  #addSession(session: RoomSession): void {
    this.#sessions.set(session.roomId, session);
    this.#byTopic.set(session.topic, session);
    this.#transport.subscribe(session.topic);
  }

  async #loadRooms(): Promise<void> {
    for await (const id of RoomStore.roomIds(this.#kv)) {
      const session = await openSession(this.#env, id);
      if (session !== undefined) this.#addSession(session);
    }
  }

  #listen(): void {
    this.#unsubscribe.push(
      this.#transport.onMessage((m) => {
        this.#background(async () => {
          await this.#inbound(m);
          this.#signals.flushReceipts();
        });
      }),
      this.#transport.onPeer((e) => {
        if (e.reachable) {
          this.#reachable.add(e.device);
          this.#background(() => this.#helloAll(e.device));
        } else this.#reachable.delete(e.device);
      }),
    );
  }

  async #helloAll(device: DeviceId): Promise<void> {
    for (const s of this.#sessions.values()) {
      if (!s.active) continue;
      const welcome = s.pendingWelcomes.get(device);
      if (welcome !== undefined) await s.sendTo(device, welcome);
      if (!s.isMemberDevice(device)) continue;
      await s.sendFrame(device, helloFrame(s, false));
      this.#signals.peerReachable(s);
    }
  }

  async #inbound(message: InboundMessage): Promise<void> {
    if (message.kind === 'topic') {
      await this.#byTopic.get(message.topic)?.receiveGroupMessage(message.data);
      return;
    }
    let frame: DirectFrame;
    try {
      frame = decodeDirectFrame(message.data);
    } catch (error) {
      this.#env.emit({ type: 'rejected', roomId: undefined, reason: describe(error) });
      return;
    }
    if (frame.type === 'welcome') {
      await this.#join(message.from, frame.welcome);
      return;
    }
    const session = this.#sessions.get(toHex(frame.groupId) as RoomId);
    // A device out of the room answers nobody: it holds no keys of the current epoch.
    if (!session?.active) return;
    await handleSyncFrame(session, message.from, frame, toHex(this.#device.keyPair.publicKey));
  }

  async #join(from: DeviceId, bytes: Uint8Array): Promise<void> {
    const outcome = await openWelcome(bytes, this.#keyPackages, this.#env.groupOptions);
    if (outcome.kind === 'rejected') {
      this.#env.emit({ type: 'rejected', roomId: undefined, reason: outcome.reason });
    }
    if (outcome.kind !== 'joined') return;
    const group = outcome.group;
    const roomId = toHex(group.groupId) as RoomId;
    const existing = this.#sessions.get(roomId);
    // A later Welcome to a room this device is in replaces its group state when it is for a
    // later epoch or for another branch of the same one: the commit that carried the first
    // lost a fork and was made again on the winner. (Should an older branch's Welcome come
    // last, sync finds this device on an abandoned branch and hands it a GroupInfo.)
    const head = existing?.group.head;
    if (
      existing?.active === true &&
      head !== undefined &&
      (head.epoch > group.head.epoch || bytesEqual(head.epochId, group.head.epochId))
    ) {
      return;
    }
    if (existing?.active !== true && !this.#acceptInvite(from, group, roomId)) return;
    let session = existing;
    if (session === undefined) {
      session = await startSession(this.#env, group);
      this.#addSession(session);
    } else {
      await session.replaceGroup(group);
    }
    this.#env.emit({ type: 'joined', roomId, invitedBy: from });
    await session.sendFrame(from, helloFrame(session, false));
    await session.resendOutbox();
    await announceProfile(session, this.#profile);
  }

  /**
   * Applies this user's blocks and invite policy to a Welcome into a room this device is not
   * in. The inviter is the user of the device that sent the Welcome (the transport
   * authenticated it), looked up among the room's devices.
   */
  #acceptInvite(from: DeviceId, group: ConversationGroup, roomId: RoomId): boolean {
    const inviter = group.members().find((d) => d.deviceId === from)?.userId;
    const verdict = judgeInvite(inviter, {
      self: this.userId,
      policy: this.#safety.invitePolicy,
      isBlocked: (u) => this.#safety.isBlocked(u),
      isContact: this.#isContact,
    });
    if (verdict.ok) return true;
    // The inviter resends its Welcome to a device that never answers: report it once.
    const key = `${roomId}/${verdict.reason}`;
    if (!this.#refusedInvites.has(key)) {
      this.#refusedInvites.add(key);
      this.#env.emit({
        type: 'inviteRefused',
        roomId,
        from: inviter,
        device: from,
        reason: verdict.reason,
      });
    }
    return false;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
