import {
  shortUserId,
  toHex,
  type KithEventType,
  type RoleName,
  type RoomId,
  type UserId,
} from '@kith/core';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { KithNode, type KithNodeOptions } from '@kith/node';
import { AppError } from './app-error.ts';
import { checkDmPartner, checkEmoji } from './checks.ts';
import { DmStarter, dmWith, duplicateDms } from './dms.ts';
import { AppSafety } from './safety.ts';
import { AppFiles } from './files.ts';
import { AppHistory } from './history-port.ts';
import { AppPeople } from './people.ts';
import { AppSignals } from './signals.ts';
import { SystemLog, type SystemItem } from './system-log.ts';
import { bytesOf, messageIdOf, ViewBuilder } from './view-builder.ts';
import type {
  CapabilitiesView,
  MemberDetailView,
  MessageView,
  RoomView,
  SyncView,
  ThreadView,
  VersionView,
  Whoami,
} from './views.ts';

export interface KithAppOptions {
  readonly dataDir: string;
  /** Used on first start, when the identity is created. */
  readonly displayName?: string;
  readonly listen?: readonly string[];
  /** Relays and other peers to keep in touch with (multiaddrs). */
  readonly relays?: readonly string[];
  readonly mdns?: boolean;
  readonly tickMs?: number;
  readonly onError?: (error: unknown) => void;
}

const CHANGES: KithEventType[] = [
  'timeline',
  'membership',
  'room',
  'joined',
  'left',
  'sync',
  'blocked',
  'inviteRefused',
  'meta',
  'mention',
  'typing',
  'presence',
  'receipts',
  'messageStatus',
];

/** What `setRoom` changes; what is left out stays. */
export interface RoomChange {
  readonly name?: string;
  readonly topic?: string;
  readonly avatar?: string | null;
  readonly history?: 'all' | 'since-joined';
  /** Every message disappears this many ms after sending; null: messages stay. */
  readonly disappearAfterMs?: number | null;
}

/**
 * What a person does with Kith, in the words of the daemon's JSON-RPC and the terminal chat: IDs
 * as text, names resolved, unread counts kept. One KithNode underneath.
 */
export class KithApp {
  readonly node: KithNode;
  /** Blocking users and who may invite this user. */
  readonly safety: AppSafety;
  /** Profiles, mentions, threads, edit history and capabilities. */
  readonly people: AppPeople;
  /** Read and delivery receipts, typing, presence. */
  readonly signals: AppSignals;
  /** Importing history from Matrix or a Kith export, and exporting a room's. */
  readonly historyPort: AppHistory;
  /** Membership and room changes as timeline lines, kept across restarts. */
  readonly log: SystemLog;
  /** Sending and downloading files, and the transfers under way. */
  readonly files: AppFiles;
  readonly #dms = new DmStarter();
  readonly #views: ViewBuilder;
  #displayName: string;
  /** Counts engine changes, for callers that wait for the next one (`waitForChange`). */
  #changes = 0;
  readonly #waiters = new Set<() => void>();
  /** Per-room disappearing time of what this device sends (`setDefaultExpiry`). */
  readonly #expiry = new Map<RoomId, number>();

  private constructor(
    node: KithNode,
    displayName: string,
    keptLines: ReadonlyMap<string, readonly SystemItem[]>,
    downloads: string,
  ) {
    this.node = node;
    this.log = new SystemLog(node.client, (u) => this.nameOf(u), Date.now, {
      kept: keptLines,
      save: (roomId, lines) => {
        node.appData.put(lines, 'log', roomId).catch(() => undefined);
      },
    });
    this.#displayName = displayName;
    this.safety = new AppSafety(node.client, (u) => this.nameOf(u), Date.now);
    this.people = new AppPeople(node.client, (u) => this.nameOf(u));
    this.signals = new AppSignals(
      node.client,
      (u) => this.nameOf(u),
      (text) => this.#roomId(text),
    );
    this.historyPort = new AppHistory(node, (text) => this.#roomId(text));
    this.files = new AppFiles(node, (text) => this.#roomId(text), downloads);
    this.#views = new ViewBuilder(node, this.people, this.signals, (u) => this.nameOf(u));
    this.onChange(() => {
      this.#changes++;
      for (const w of [...this.#waiters]) w();
    });
  }

  /**
   * Resolves with the change count once it passes `after` (at once if it already has), or after
   * `timeoutMs` with the count unchanged: lets a script wait for news without polling.
   */
  waitForChange(after: number, timeoutMs: number): Promise<number> {
    if (this.#changes > after || timeoutMs <= 0) return Promise.resolve(this.#changes);
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(done);
        resolve(this.#changes);
      };
      const timer = setTimeout(done, timeoutMs);
      this.#waiters.add(done);
    });
  }

  static async open(options: KithAppOptions): Promise<KithApp> {
    const nodeOptions: KithNodeOptions = {
      dataDir: options.dataDir,
      // Other members see which of a user's devices wrote (used only when the device is created).
      deviceName: hostname().slice(0, 64),
      ...(options.listen === undefined ? {} : { listen: options.listen }),
      ...(options.relays === undefined ? {} : { relays: options.relays }),
      ...(options.mdns === undefined ? {} : { mdns: options.mdns }),
      ...(options.tickMs === undefined ? {} : { tickMs: options.tickMs }),
      ...(options.onError === undefined ? {} : { onError: options.onError }),
    };
    const node = await KithNode.open(nodeOptions);
    let name = await node.appData.get<string>('profile', 'displayName');
    if (name === undefined) {
      name = options.displayName ?? '';
      await node.appData.put(name, 'profile', 'displayName');
    }
    const kept = new Map<string, SystemItem[]>();
    for (const room of node.client.rooms()) {
      const lines = await node.appData.get<SystemItem[]>('log', room.roomId);
      if (Array.isArray(lines)) kept.set(room.roomId, lines);
    }
    const app = new KithApp(node, name, kept, join(options.dataDir, 'downloads'));
    // Rooms show the name this device publishes (set before rooms carried profiles, or by --name).
    if (node.client.profile === undefined && name !== '') {
      await node.client.setProfile({ displayName: name });
    }
    for (const room of node.client.rooms()) {
      const expiry = await node.appData.get<number | null>('expiry', room.roomId);
      if (typeof expiry === 'number') app.#expiry.set(room.roomId, expiry);
      // Read positions this app kept before the engine did: handed over once.
      const marker = await node.appData.get<string>('read', room.roomId);
      if (marker === undefined || node.client.readPosition(room.roomId) !== undefined) continue;
      await app.markRead(room.roomId, marker).catch(() => undefined);
    }
    // Announced to each room once a fellow member's device is within reach.
    await node.client.setPresence('online');
    return app;
  }

  get displayName(): string {
    return this.#displayName;
  }

  whoami(): Whoami {
    return {
      userId: this.node.userId,
      deviceId: this.node.deviceId,
      displayName: this.#displayName,
      addresses: this.node.addresses(),
      contactLink: this.node.contactLink(this.#displayName),
    };
  }

  /** Sets the name (and avatar reference) in the contact link and in every room. */
  async setProfile(displayName: string, avatar?: string): Promise<void> {
    if (new TextEncoder().encode(displayName).length > 64) {
      throw new AppError('INVALID_PARAMS', 'a display name is at most 64 bytes');
    }
    await this.node.client.setProfile({
      displayName,
      ...(avatar === undefined ? {} : { avatar }),
    });
    await this.node.appData.put(displayName, 'profile', 'displayName');
    this.#displayName = displayName;
  }

  /** Calls `listener` whenever anything a view shows may have changed. */
  onChange(listener: () => void): () => void {
    const offs = CHANGES.map((type) => this.node.client.on(type, listener));
    return () => {
      for (const off of offs) off();
    };
  }

  nameOf(user: UserId): string {
    if (user === this.node.userId) return this.#displayName || 'me';
    const published = this.people.profileName(user);
    if (published !== undefined) return published;
    const contact = this.node.contacts().find((c) => c.userId === user);
    return contact?.displayName !== undefined && contact.displayName !== ''
      ? contact.displayName
      : shortUserId(user);
  }

  // ---- rooms -----------------------------------------------------------------------------

  async createRoom(options: { name?: string; members?: UserId[]; dm?: boolean }): Promise<RoomId> {
    const [partner, ...more] = options.members ?? [];
    if (options.dm === true && partner !== undefined && more.length === 0) {
      return (await this.createDm(partner)).roomId;
    }
    return this.node.createRoom({
      ...(options.name === undefined ? {} : { name: options.name }),
      ...(options.dm === undefined ? {} : { dm: options.dm }),
      members: options.members ?? [],
    });
  }

  /** The DM with `user`: the existing one (one per pair of users), or a new one. */
  createDm(user: UserId): Promise<{ roomId: RoomId; created: boolean }> {
    checkDmPartner(user, this.node.userId);
    return this.#dms.start(
      user,
      () => dmWith(this.node.client.rooms(), this.node.userId, user),
      () => this.node.createRoom({ dm: true, members: [user] }),
    );
  }

  /** Rooms, without DMs that duplicate another with the same user (see `dmWith`). */
  rooms(): RoomView[] {
    const all = this.node.client.rooms();
    const hidden = duplicateDms(all, this.node.userId);
    return all.filter((r) => !hidden.has(r.roomId)).map((r) => this.#roomView(r.roomId));
  }

  room(roomId: string): RoomView {
    return this.#roomView(this.#roomId(roomId));
  }

  /** A room's view; for a room this device is out of, how it went (from the log). */
  #roomView(roomId: RoomId): RoomView {
    const view = this.#views.room(roomId);
    const departure = view.active ? undefined : this.log.departure(roomId);
    return departure === undefined ? view : { ...view, departure };
  }

  /** Changes the room's profile (name, topic, avatar; null removes it) and history policy. */
  async setRoom(roomId: string, change: RoomChange): Promise<void> {
    const id = this.#roomId(roomId);
    const { history, disappearAfterMs, ...profile } = change;
    if (Object.keys(profile).length > 0) await this.node.client.setRoomProfile(id, profile);
    if (history !== undefined) await this.node.client.setHistorySharing(id, history);
    if (disappearAfterMs !== undefined) {
      await this.node.client.setDisappearing(id, disappearAfterMs ?? undefined);
    }
  }

  invite(roomId: string, user: UserId): Promise<void> {
    return this.node.invite(this.#roomId(roomId), user);
  }

  remove(roomId: string, user: UserId): Promise<void> {
    return this.node.client.remove(this.#roomId(roomId), user);
  }

  ban(roomId: string, user: UserId): Promise<void> {
    return this.node.client.ban(this.#roomId(roomId), user);
  }

  unban(roomId: string, user: UserId): Promise<void> {
    return this.node.client.unban(this.#roomId(roomId), user);
  }

  leave(roomId: string): Promise<void> {
    return this.node.client.leave(this.#roomId(roomId));
  }

  setRole(roomId: string, user: UserId, role: string): Promise<void> {
    const roles = ['member', 'moderator', 'admin', 'owner'];
    if (!roles.includes(role)) {
      throw new AppError('INVALID_PARAMS', `role must be one of ${roles.join(', ')}`);
    }
    return this.node.client.setRole(
      this.#roomId(roomId),
      user,
      role as Exclude<RoleName, 'none' | 'banned'>,
    );
  }

  syncStatus(roomId: string): SyncView {
    const s = this.node.client.syncStatus(this.#roomId(roomId));
    return {
      complete: s.complete,
      epoch: s.epoch.toString(),
      waiting: s.waitingUpdates + s.waitingEpochs,
      unsent: s.unsent,
    };
  }

  // ---- messages --------------------------------------------------------------------------

  async send(
    roomId: string,
    text: string,
    options: { replyTo?: string; threadId?: string; markdown?: boolean; expiresInMs?: number } = {},
  ): Promise<string> {
    const room = this.#roomId(roomId);
    const expiresInMs = options.expiresInMs ?? this.#expiry.get(room);
    const markdown = options.markdown === true;
    const body = markdown ? this.people.linkMentions(room, text) : text;
    const id = await this.node.client.send(room, body, {
      ...(markdown ? { markdown } : {}),
      ...(options.replyTo === undefined ? {} : { replyTo: messageIdOf(options.replyTo) }),
      ...(options.threadId === undefined
        ? {}
        : { threadId: bytesOf(options.threadId, 'threadId') }),
      ...(expiresInMs === undefined ? {} : { expiresInMs }),
    });
    return toHex(id);
  }

  /**
   * This device's disappearing time for what it sends in a room (undefined: none), used when
   * `send` is given no `expiresInMs`. Kept in memory: a restart forgets it.
   */
  /** Kept in the device's app data, so it holds after a restart. */
  async setDefaultExpiry(roomId: string, ms: number | undefined): Promise<void> {
    const room = this.#roomId(roomId);
    if (ms === undefined) this.#expiry.delete(room);
    else this.#expiry.set(room, ms);
    await this.node.appData.put(ms ?? null, 'expiry', room);
  }

  defaultExpiry(roomId: string): number | undefined {
    return this.#expiry.get(this.#roomId(roomId));
  }

  async edit(roomId: string, messageId: string, text: string): Promise<string> {
    return toHex(await this.node.client.edit(this.#roomId(roomId), messageIdOf(messageId), text));
  }

  async retract(roomId: string, messageId: string): Promise<string> {
    return toHex(await this.node.client.retract(this.#roomId(roomId), messageIdOf(messageId)));
  }

  async react(roomId: string, messageId: string, emoji: string): Promise<string> {
    checkEmoji(emoji);
    const id = messageIdOf(messageId);
    return toHex(await this.node.client.react(this.#roomId(roomId), id, emoji));
  }

  async unreact(roomId: string, messageId: string, emoji: string): Promise<string> {
    const id = messageIdOf(messageId);
    return toHex(await this.node.client.unreact(this.#roomId(roomId), id, emoji));
  }

  /** The last `limit` messages, oldest first; only those of one thread with `threadId`. */
  messages(roomId: string, limit?: number, threadId?: string): MessageView[] {
    const id = this.#roomId(roomId);
    const timeline = this.node.client.timeline(id);
    const all =
      threadId === undefined
        ? timeline
        : this.node.client.thread(id, bytesOf(threadId, 'threadId'));
    const slice = limit === undefined ? all : all.slice(Math.max(0, all.length - limit));
    const byId = new Map(timeline.map((m) => [toHex(m.messageId), m]));
    const receipts = this.signals.counter(id);
    return slice.map((m) => ({ ...this.#views.message(m, byId), ...receipts?.(m) }));
  }

  /** The room's threads, the most recently active first. */
  threads(roomId: string): ThreadView[] {
    const id = this.#roomId(roomId);
    const byId = new Map(this.node.client.timeline(id).map((m) => [toHex(m.messageId), m]));
    return this.people.threads(id, (m) => this.#views.message(m, byId));
  }

  /** Every version of a message, the original first. */
  history(roomId: string, messageId: string): VersionView[] {
    return this.people.history(this.#roomId(roomId), messageIdOf(messageId));
  }

  /** The room's members with display names, avatars and device names. */
  members(roomId: string): MemberDetailView[] {
    return this.people.members(this.#roomId(roomId));
  }

  /** What this user's role lets them do in the room. */
  capabilities(roomId: string): CapabilitiesView {
    return this.people.capabilities(this.#roomId(roomId));
  }

  /** Marks the room read up to `messageId` (never back), or everything in it. */
  async markRead(roomId: string, messageId?: string): Promise<void> {
    await this.signals.markRead(roomId, messageId);
  }

  close(): Promise<void> {
    for (const w of [...this.#waiters]) w();
    this.log.close();
    return this.node.close();
  }

  // ---- internals -------------------------------------------------------------------------

  #roomId(text: string): RoomId {
    const known = this.node.client.rooms().find((r) => r.roomId === text);
    if (known === undefined) throw new AppError('UNKNOWN_ROOM', `no room ${text} on this device`);
    return known.roomId;
  }
}
