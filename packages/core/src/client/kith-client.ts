import type { KeyPackage, Welcome } from 'ts-mls';
import { decodeMlsMessage } from 'ts-mls';
import { encodeContent } from '../content/codec.ts';
import {
  edit as editOf,
  markdownMessage,
  reaction,
  retraction,
  textMessage,
  unreaction,
  type MessageOptions,
} from '../content/builders.ts';
import { asMessageId, contentMessageId, type MessageId } from '../content/message-id.ts';
import type { MimiContent } from '../content/model.ts';
import { textPart } from '../content/parts.ts';
import { toHex } from '../crypto/bytes.ts';
import { ConversationGroup } from '../group/conversation-group.ts';
import { deviceOfKeyPackage } from '../group/leaves.ts';
import { decodeKeyPackage } from '../group/key-package.ts';
import { createDeviceKeyPackage } from '../group/key-package.ts';
import { kithClientConfig, loadCiphersuite } from '../group/suite.ts';
import { kithAuthenticationService } from '../identity/credential.ts';
import type { DeviceIdentity, UserIdentity } from '../identity/identities.ts';
import type { DeviceId, RoomId, UserId } from '../ids.ts';
import { systemClock, type ClockPort } from '../ports/clock.ts';
import { webRandom, type RandomPort } from '../ports/random.ts';
import type { InboundMessage, TransportPort } from '../ports/transport.ts';
import { Roles, type RoleName } from '../room/roles.ts';
import {
  can,
  newRoomState,
  withChanges,
  withParticipant,
  type RoomState,
} from '../room/room-state.ts';
import type { Capability } from '../room/capabilities.ts';
import { KvStore, type KvDatabase } from '../storage/store.ts';
import { decodeDirectFrame, type DirectFrame } from '../sync/frames.ts';
import { roomUri, userUri } from '../timeline/uris.ts';
import type { TimelineMessage } from '../timeline/timeline-message.ts';
import { ClientError } from './errors.ts';
import { Emitter, type KithEventOf, type KithEventType, type SyncStatus } from './events.ts';
import { loadIdentity } from './identity-store.ts';
import type { Intent } from './intent.ts';
import { KeyPackageStore } from './key-package-store.ts';
import { openSession, startSession } from './session-loader.ts';
import { RoomStore } from './room-store.ts';
import type { RoomSession, SessionEnv } from './room-session.ts';
import { answerHello, helloFrame, isComplete } from './room-sync.ts';

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
  /** Epochs kept for fork resolution (default 16). */
  readonly retainEpochs?: number;
  /** Called with errors thrown by event handlers or by background work. */
  readonly onError?: (error: unknown) => void;
}

export interface RoomSummary {
  readonly roomId: RoomId;
  readonly kind: RoomState['kind'];
  readonly name: string;
  readonly topic: string;
  readonly epoch: bigint;
  readonly active: boolean;
  readonly participants: readonly { readonly userId: UserId; readonly role: string }[];
  readonly devices: readonly { readonly deviceId: DeviceId; readonly userId: UserId }[];
}

export interface SendOptions {
  readonly replyTo?: MessageId;
  /** A thread (MIMI topicId) to post in. */
  readonly threadId?: Uint8Array;
  readonly markdown?: boolean;
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
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;
  #pendingTasks = 0;

  private constructor(
    kv: KvStore,
    options: KithClientOptions,
    identity: { user: UserIdentity | undefined; device: DeviceIdentity },
    env: Omit<SessionEnv, 'emit'>,
    keyPackages: KeyPackageStore,
  ) {
    this.#kv = kv;
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
        this.#emitter.emit(e);
      },
    };
  }

  /** Opens the device in `storage`, creating its identity on first use. */
  static async open(options: KithClientOptions): Promise<KithClient> {
    const kv = await KvStore.open(options.storage);
    const clock = options.clock ?? systemClock;
    const random = options.random ?? webRandom;
    const identity = await loadIdentity(kv, random, clock, options.deviceName ?? 'device');
    const cs = await loadCiphersuite();
    const retain = options.retainEpochs ?? 16;
    const config = kithClientConfig(kithAuthenticationService(), retain);
    const transport = await options.transport(identity.device);
    const env = {
      device: identity.device,
      groupOptions: { cs, config, retainEpochs: retain },
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
    );
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
      const others = new Set(invites.map((kp) => deviceOfKeyPackage(kp)?.userId));
      others.delete(this.userId);
      if (options.dm === true && others.size !== 1) {
        throw new ClientError(
          'INVALID_ARGUMENT',
          'a DM needs the key packages of exactly one other user',
        );
      }
      let room = newRoomState({
        kind: options.dm === true ? 'dm' : 'group',
        creator: this.userId,
        ...(options.name === undefined ? {} : { name: options.name }),
        ...(options.topic === undefined ? {} : { topic: options.topic }),
      });
      if (options.dm === true) {
        for (const u of others) if (u !== undefined) room = withParticipant(room, u, Roles.owner);
      }
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
    return this.#change(roomId, {
      adds: [],
      removeUsers: [user],
      room: (r) => withParticipant(r, user, Roles.none),
    });
  }

  /** Removes a user and keeps them from being added back until unbanned. */
  ban(roomId: RoomId, user: UserId): Promise<void> {
    return this.#change(roomId, {
      adds: [],
      removeUsers: [user],
      room: (r) => withParticipant(r, user, Roles.banned),
    });
  }

  unban(roomId: RoomId, user: UserId): Promise<void> {
    return this.#change(roomId, {
      adds: [],
      removeUsers: [],
      room: (r) => withParticipant(r, user, Roles.none),
    });
  }

  setRole(roomId: RoomId, user: UserId, role: Exclude<RoleName, 'none' | 'banned'>): Promise<void> {
    return this.#change(roomId, {
      adds: [],
      removeUsers: [],
      room: (r) => withParticipant(r, user, Roles[role]),
    });
  }

  setRoomProfile(
    roomId: RoomId,
    profile: { name?: string; topic?: string; avatar?: string | null },
  ): Promise<void> {
    return this.#change(roomId, {
      adds: [],
      removeUsers: [],
      room: (r) =>
        withChanges(r, {
          profile: {
            name: profile.name ?? r.profile.name,
            topic: profile.topic ?? r.profile.topic,
            avatar: profile.avatar === null ? undefined : (profile.avatar ?? r.profile.avatar),
          },
        }),
    });
  }

  /** Restricts inviting to admins and owners (true) or opens it to members (false). */
  setInvitesRestricted(roomId: RoomId, restricted: boolean): Promise<void> {
    return this.#change(roomId, {
      adds: [],
      removeUsers: [],
      room: (r) => withChanges(r, { invitesRestricted: restricted }),
    });
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

  // ---- messages --------------------------------------------------------------------------

  send(roomId: RoomId, text: string, options: SendOptions = {}): Promise<MessageId> {
    return this.#write(roomId, (base, session) => {
      this.#need(session, 'canSendMessage', 'send messages');
      if (options.replyTo !== undefined) this.#ref(session, options.replyTo);
      const opts: MessageOptions = {
        ...base,
        ...(options.replyTo === undefined ? {} : { inReplyTo: options.replyTo }),
        ...(options.threadId === undefined ? {} : { topicId: options.threadId }),
      };
      return options.markdown === true ? markdownMessage(text, opts) : textMessage(text, opts);
    });
  }

  /** Edits one of this user's messages (others refuse edits of someone else's). */
  edit(roomId: RoomId, messageId: MessageId, text: string): Promise<MessageId> {
    return this.#write(roomId, (base, session) => {
      const ref = this.#ref(session, messageId);
      if (ref.sender !== this.userId) {
        throw new ClientError('NOT_ALLOWED', 'only the author may edit a message');
      }
      this.#need(session, 'canEditOwnMessage', 'edit messages');
      return editOf(ref, textPart(text), base);
    });
  }

  /** Retracts a message for everyone: one's own, or anyone's with canDeleteOtherMessage. */
  retract(roomId: RoomId, messageId: MessageId): Promise<MessageId> {
    return this.#write(roomId, (base, session) => {
      const ref = this.#ref(session, messageId);
      if (ref.sender === this.userId)
        this.#need(session, 'canDeleteOwnMessage', 'retract messages');
      else this.#need(session, 'canDeleteOtherMessage', "retract other people's messages");
      return retraction(ref, base);
    });
  }

  react(roomId: RoomId, messageId: MessageId, emoji: string): Promise<MessageId> {
    return this.#write(roomId, (base, session) => {
      this.#ref(session, messageId);
      this.#need(session, 'canReactToMessage', 'react');
      return reaction(messageId, emoji, base);
    });
  }

  unreact(roomId: RoomId, messageId: MessageId, emoji: string): Promise<MessageId> {
    return this.#write(roomId, (base, session) => {
      const own = session.doc.reactionOf(messageId, emoji, this.userId);
      if (own === undefined) {
        throw new ClientError(
          'UNKNOWN_MESSAGE',
          `you have not reacted with ${emoji} to this message`,
        );
      }
      return unreaction(own, base);
    });
  }

  timeline(roomId: RoomId): readonly TimelineMessage[] {
    return this.#session(roomId).doc.timeline();
  }

  syncStatus(roomId: RoomId): SyncStatus {
    const s = this.#session(roomId);
    return {
      roomId,
      epoch: s.group.head.epoch,
      complete: isComplete(s) && s.doc.pendingCount === 0 && s.group.pendingCount === 0,
      waitingUpdates: s.doc.pendingCount,
      waitingEpochs: s.group.pendingCount,
      unsent: s.outbox.size,
    };
  }

  // ---- background ------------------------------------------------------------------------

  /**
   * Periodic work, called by the runtime (every few seconds): resends what no member has
   * confirmed, commits proposals nobody committed, and asks reachable members for news.
   */
  tick(): Promise<void> {
    return this.#run(async () => {
      for (const s of this.#sessions.values()) {
        if (!s.active) continue;
        await s.resendOutbox();
        if (s.group.pendingProposals().length > 0) await s.commitStaleProposals();
        for (const m of s.members()) {
          if (m.deviceId !== this.deviceId && this.#reachable.has(m.deviceId)) {
            await s.sendFrame(m.deviceId, helloFrame(s, false));
          }
        }
        for (const [device, frame] of s.pendingWelcomes) {
          if (this.#reachable.has(device)) await s.sendTo(device, frame);
        }
      }
    });
  }

  /** True when no input is waiting to be handled. */
  get isIdle(): boolean {
    return this.#pendingTasks === 0;
  }

  /** Resolves once every input received so far has been handled (for tests and shutdown). */
  async idle(): Promise<void> {
    let seen: Promise<unknown> | undefined;
    while (seen !== this.#queue) {
      seen = this.#queue;
      await seen;
    }
  }

  /** Asks `device` for what this device lacks in every room both are in. */
  syncWith(device: DeviceId): Promise<void> {
    return this.#run(() => this.#helloAll(device));
  }

  async close(): Promise<void> {
    await this.#run(async () => {
      this.#closed = true;
      for (const off of this.#unsubscribe) off();
      for (const s of this.#sessions.values()) {
        s.queue([s.store.putSnapshot(s.doc.snapshot())]);
        await s.flush();
      }
    });
    // The client built the transport (from the factory it was given), so it closes it too.
    await this.#transport.close();
    await this.#kv.close();
  }

  // ---- internals -------------------------------------------------------------------------

  #run<T>(task: () => Promise<T>): Promise<T> {
    this.#pendingTasks++;
    const next = this.#queue.then(() => {
      if (this.#closed) throw new ClientError('CLOSED', 'the client is closed');
      return task();
    });
    this.#queue = next
      .catch(() => undefined)
      .finally(() => {
        this.#pendingTasks--;
      });
    return next;
  }

  /** Runs work that nobody awaits (inbound messages); its failures go to onError. */
  #background(task: () => Promise<void>): void {
    this.#run(task).catch((error: unknown) => {
      if (!(error instanceof ClientError && error.code === 'CLOSED')) this.#onError(error);
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

  #ref(
    session: RoomSession,
    messageId: MessageId,
  ): { messageId: MessageId; content: MimiContent; sender: UserId } {
    const m = session.doc.message(asMessageId(messageId));
    if (m === undefined) throw new ClientError('UNKNOWN_MESSAGE', 'no such message in this room');
    if (m.retracted) throw new ClientError('UNKNOWN_MESSAGE', 'that message was retracted');
    return { messageId: m.messageId, content: m.content, sender: m.sender };
  }

  #need(session: RoomSession, capability: Capability, what: string): void {
    if (!can(session.group.room, this.userId, capability)) {
      throw new ClientError('NOT_ALLOWED', `your role may not ${what} in this room`);
    }
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
        this.#background(() => this.#inbound(m));
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
      if (s.isMemberDevice(device)) await s.sendFrame(device, helloFrame(s, false));
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
    switch (frame.type) {
      case 'hello':
        await answerHello(session, message.from, frame, toHex(this.#device.keyPair.publicKey));
        return;
      case 'epochs':
        for (const commit of frame.commits) await session.receiveGroupMessage(commit);
        return;
      case 'data':
        await session.receiveGroupMessage(frame.message);
        return;
    }
  }

  async #join(from: DeviceId, bytes: Uint8Array): Promise<void> {
    const decoded = safeDecodeWelcome(bytes);
    if (decoded === undefined) {
      this.#env.emit({ type: 'rejected', roomId: undefined, reason: 'a malformed Welcome' });
      return;
    }
    const kp = await this.#keyPackages.forWelcome(decoded);
    if (kp === undefined) return;
    let group: ConversationGroup | undefined;
    try {
      group = await ConversationGroup.join(
        decoded,
        kp.publicPackage,
        kp.privatePackage,
        this.#env.groupOptions,
      );
    } catch (error) {
      this.#env.emit({
        type: 'rejected',
        roomId: undefined,
        reason: `Welcome: ${describe(error)}`,
      });
      return;
    }
    if (group === undefined) return;
    const roomId = toHex(group.groupId) as RoomId;
    const existing = this.#sessions.get(roomId);
    if (
      existing !== undefined &&
      existing.active &&
      existing.group.head.epoch >= group.head.epoch
    ) {
      return;
    }
    const session = await startSession(this.#env, group);
    this.#addSession(session);
    this.#env.emit({ type: 'joined', roomId, invitedBy: from });
    await session.sendFrame(from, helloFrame(session, false));
  }
}

function inviteIntent(kps: readonly KeyPackage[]): Intent {
  const users = new Set<UserId>();
  for (const kp of kps) {
    const d = deviceOfKeyPackage(kp);
    if (d === undefined)
      throw new ClientError('BAD_KEY_PACKAGE', 'a key package is not a Kith device');
    users.add(d.userId);
  }
  return {
    adds: kps,
    removeUsers: [],
    room: (r) => {
      let next = r;
      for (const u of users) {
        if ((r.participants.get(u) ?? Roles.none) === Roles.none)
          next = withParticipant(next, u, Roles.member);
      }
      return next === r ? undefined : next;
    },
  };
}

function readKeyPackage(bytes: Uint8Array): KeyPackage {
  const kp = decodeKeyPackage(bytes);
  if (kp === undefined) throw new ClientError('BAD_KEY_PACKAGE', 'not an MLS key package');
  if (deviceOfKeyPackage(kp) === undefined) {
    throw new ClientError('BAD_KEY_PACKAGE', 'the key package is not a Kith device');
  }
  return kp;
}

function summarize(s: RoomSession): RoomSummary {
  const room = s.group.room;
  const names = new Map<number, string>(room.roles.map((r) => [r.index, r.name]));
  return {
    roomId: s.roomId,
    kind: room.kind,
    name: room.profile.name,
    topic: room.profile.topic,
    epoch: s.group.head.epoch,
    active: s.active,
    participants: [...room.participants].map(([userId, role]) => ({
      userId,
      role: names.get(role) ?? String(role),
    })),
    devices: s.members().map((m) => ({ deviceId: m.deviceId, userId: m.userId })),
  };
}

function safeDecodeWelcome(bytes: Uint8Array): Welcome | undefined {
  try {
    const d = decodeMlsMessage(bytes, 0);
    return d?.[0].wireformat === 'mls_welcome' && d[1] === bytes.length ? d[0].welcome : undefined;
  } catch {
    return undefined;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
