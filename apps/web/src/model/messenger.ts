import {
  ClientError,
  linkMentions,
  shortUserId,
  toHex,
  type DeviceId,
  type KithClient,
  type KithEventType,
  type RoomId,
  type UserId,
} from '@kith/core';
import {
  ContactVerification,
  contactKeys,
  type VerificationStore,
} from './contact-verification.ts';
import { connectionStatus, type ConnectionStatus, type RelayState } from './connection.ts';
import { messageItems, type ItemContext, type MessageItem } from './message-items.ts';
import { FileTransfers, type BlobsApi } from './file-transfers.ts';
import { exportRoom, importPlan, planImport, type HistoryFormat } from './history-port.ts';
import type { Person } from './mention-complete.ts';
import { noticesFor, type Notice } from './notices.ts';
import { syncText } from './sync-text.ts';
import { PersonalSafety } from './personal-safety.ts';
import { RoomModeration } from './room-moderation.ts';
import { roomItems, roomLists, type RoomLists } from './room-list.ts';
import { bytes, cmp, messageId } from './ids.ts';

/** A contact as the device keeps it. */
export interface ContactInfo {
  readonly userId: UserId;
  readonly displayName: string;
}

/** A contact with their keys, as the device keeps it. */
export interface DeviceContact extends ContactInfo {
  readonly userPublicKey: Uint8Array;
  readonly devices: readonly DeviceId[];
}

/** What the messenger needs of a device: `KithBrowser` (or `KithNode`) has all of it. */
export interface MessengerDevice {
  readonly client: KithClient;
  readonly userId: UserId;
  /** The device's small store for the app (verified contacts). */
  readonly appData: VerificationStore;
  contactLink(displayName?: string): string;
  addContact(link: string): Promise<ContactInfo>;
  contacts(): readonly DeviceContact[];
  createRoom(options: {
    name?: string;
    dm?: boolean;
    members?: readonly UserId[];
  }): Promise<RoomId>;
  invite(roomId: RoomId, user: UserId): Promise<void>;
  relayStatus(): readonly RelayState[];
  connectedDevices(): readonly unknown[];
  /** Encrypted files: sending, fetching, reading back. */
  readonly blobs: BlobsApi;
}

/** A message in the composer's reply or edit state refers to one by its hex ID. */
export interface SendOptions {
  readonly replyTo?: string;
  readonly threadId?: string;
}

const CHANGES: readonly KithEventType[] = [
  'timeline',
  'membership',
  'room',
  'joined',
  'left',
  'sync',
  'blocked',
  'meta',
  'mention',
  'typing',
  'presence',
  'receipts',
  'messageStatus',
];

/**
 * The web messenger's state over one device: the room lists, a room's messages, contacts and
 * the connection, as plain data the UI renders; and what a person does, in the UI's terms (IDs
 * as hex). It tells its listeners when anything shown may have changed.
 */
export class Messenger {
  readonly device: MessengerDevice;
  /** Members, roles and room settings, with what this user's role allows. */
  readonly moderation: RoomModeration;
  /** Blocking people and who may invite this user. */
  readonly safety: PersonalSafety;
  /** Safety numbers and which contacts this person verified. */
  readonly verification: ContactVerification;
  /** Files sent and received on this page. */
  readonly files: FileTransfers;
  #displayName: string;
  #lastOnline: number | undefined;
  readonly #listeners = new Set<() => void>();
  readonly #offs: (() => void)[] = [];
  /** Starting one DM per user at a time: two quick clicks make one room. */
  readonly #startingDm = new Map<UserId, Promise<RoomId>>();

  constructor(device: MessengerDevice, displayName: string) {
    this.device = device;
    this.#displayName = displayName;
    this.moderation = new RoomModeration(device.client, (u) => this.nameOf(u));
    this.safety = new PersonalSafety(
      device.client,
      (u) => this.nameOf(u),
      () => {
        this.changed();
      },
    );
    this.verification = new ContactVerification(
      device.client.device.certificate.userPublicKey,
      device.appData,
      (user) => contactKeys(device, user),
      () => {
        this.changed();
      },
    );
    this.files = new FileTransfers(device.blobs, () => {
      this.changed();
    });
    for (const type of CHANGES) {
      this.#offs.push(
        device.client.on(type, () => {
          this.changed();
        }),
      );
    }
  }

  get me(): UserId {
    return this.device.userId;
  }

  get displayName(): string {
    return this.#displayName;
  }

  /** Calls `listener` after every change; returns how to stop. */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Tells the listeners that what they show may have changed. */
  changed(): void {
    for (const l of [...this.#listeners]) l();
  }

  /** Calls `listener` with a notice for each new DM message and mention from someone else. */
  onNotice(listener: (notice: Notice) => void): () => void {
    return this.device.client.on('timeline', (e) => {
      const room = this.roomLists();
      const item = [...room.rooms, ...room.dms].find((r) => r.roomId === e.roomId);
      if (item === undefined) return;
      const context = {
        me: this.me,
        nameOf: (u: UserId) => this.nameOf(u),
        dm: item.dm,
        roomName: item.name,
      };
      for (const notice of noticesFor(e.roomId, e.changes, context)) listener(notice);
    });
  }

  dispose(): void {
    this.files.dispose();
    for (const off of this.#offs.splice(0)) off();
    this.#listeners.clear();
  }

  nameOf(user: UserId): string {
    if (user === this.me) return this.#displayName || 'me';
    const client = this.device.client;
    for (const room of client.rooms()) {
      const named = client.members(room.roomId).find((m) => m.userId === user)?.displayName;
      if (named !== undefined && named !== '') return named;
    }
    const contact = this.device.contacts().find((c) => c.userId === user);
    return contact !== undefined && contact.displayName !== ''
      ? contact.displayName
      : shortUserId(user);
  }

  // ---- what the page shows -------------------------------------------------------------------

  contactLink(): string {
    return this.device.contactLink(this.#displayName);
  }

  contacts(): ContactInfo[] {
    return this.device
      .contacts()
      .map((c) => ({ userId: c.userId, displayName: this.nameOf(c.userId) }))
      .sort((a, b) => a.displayName.localeCompare(b.displayName) || cmp(a.userId, b.userId));
  }

  roomLists(): RoomLists {
    return roomLists(
      roomItems(
        this.device.client,
        this.me,
        (u) => this.nameOf(u),
        (r) => this.#mentioned(r),
      ),
    );
  }

  /**
   * The room's main timeline, oldest first (the last `limit` when given): messages posted in a
   * thread are in the thread (`threadMessages`), their root here with a count.
   */
  messages(roomId: RoomId, limit?: number): MessageItem[] {
    const client = this.device.client;
    const all = client.timeline(roomId);
    const main = all.filter((m) => m.topicId === undefined);
    const shown = limit === undefined ? main : main.slice(Math.max(0, main.length - limit));
    return messageItems(shown, all, this.#itemContext(roomId));
  }

  /** A thread's messages, its root first (when held). */
  threadMessages(roomId: RoomId, threadId: string): MessageItem[] {
    const client = this.device.client;
    const thread = client.thread(roomId, bytes(threadId));
    return messageItems(thread, client.timeline(roomId), this.#itemContext(roomId));
  }

  /** Replies per thread of the room, by the thread's (its root message's) hex ID. */
  threadReplies(roomId: RoomId): Map<string, number> {
    return new Map(this.device.client.threads(roomId).map((t) => [toHex(t.threadId), t.replies]));
  }

  /** Hex of the message this user has read up to in the room, on this device. */
  readPosition(roomId: RoomId): string | undefined {
    const p = this.device.client.readPosition(roomId);
    return p === undefined ? undefined : toHex(p);
  }

  /** Names of the people typing in the room now (not this user). */
  typing(roomId: RoomId): string[] {
    return this.device.client
      .typing(roomId)
      .filter((u) => u !== this.me)
      .map((u) => this.nameOf(u));
  }

  /** Where the room's history stands on this device, in words. */
  syncText(roomId: RoomId): string {
    return syncText(this.device.client.syncStatus(roomId));
  }

  /** Who an `@` in the composer may mention: the room's members but this user. */
  mentionable(roomId: RoomId): Person[] {
    return this.device.client
      .room(roomId)
      .participants.filter((p) => p.userId !== this.me && p.role !== 'banned')
      .map((p) => ({ userId: p.userId, name: this.nameOf(p.userId) }));
  }

  /**
   * The connection now; while offline or connecting, when this device was last online (kept
   * with the device, written at most once a minute).
   */
  connection(browserOnline: boolean, now: number): ConnectionStatus {
    const status = connectionStatus(
      browserOnline,
      this.device.relayStatus(),
      this.device.connectedDevices().length,
      now,
      this.#lastOnline,
    );
    if (
      status.state === 'online' &&
      (this.#lastOnline === undefined || now - this.#lastOnline >= 60_000)
    ) {
      this.#lastOnline = now;
      this.device.appData.put(now, 'web', 'last-online').catch(() => undefined);
    }
    return status;
  }

  /** Reads what the page keeps with the device (when it was last online). */
  async load(): Promise<void> {
    await this.verification.load();
    const at = await this.device.appData.get<number>('web', 'last-online');
    if (typeof at === 'number') this.#lastOnline = at;
  }

  /** Whether this user's role lets them do `capability` in the room (MIMI capability names). */
  can(roomId: RoomId, capability: string): boolean {
    return (this.device.client.capabilities(roomId).capabilities as readonly string[]).includes(
      capability,
    );
  }

  // ---- what a person does ----------------------------------------------------------------------

  /** The room's history as a Kith export file. */
  exportHistory(roomId: RoomId): { text: string; fileName: string } {
    return exportRoom(this.device.client, roomId);
  }

  /** Imports an export (Matrix or Kith) into a new room of this user alone. */
  async importHistory(
    format: HistoryFormat,
    text: string,
    onProgress: (done: number, total: number) => void,
  ): Promise<{ roomId: RoomId; imported: number; skipped: number }> {
    const plan = planImport(format, text);
    const done = await importPlan(
      this.device.client,
      (name) => this.device.createRoom({ name, members: [] }),
      plan,
      undefined,
      onProgress,
    );
    this.changed();
    return done;
  }

  async addContact(link: string): Promise<ContactInfo> {
    const contact = await this.device.addContact(link.trim());
    this.changed();
    return contact;
  }

  async createRoom(name: string, members: readonly UserId[]): Promise<RoomId> {
    const roomId = await this.device.createRoom({ name, members });
    this.changed();
    return roomId;
  }

  /** The DM with `user`: the one there is, or a new one. */
  async openDm(user: UserId): Promise<RoomId> {
    const pending = this.#startingDm.get(user);
    if (pending !== undefined) await pending.catch(() => undefined);
    const existing = this.roomLists().dms.find((r) => r.partner === user);
    if (existing !== undefined) return existing.roomId;
    const creating = this.device.createRoom({ dm: true, members: [user] });
    this.#startingDm.set(user, creating);
    try {
      return await creating;
    } finally {
      this.#startingDm.delete(user);
      this.changed();
    }
  }

  invite(roomId: RoomId, user: UserId): Promise<void> {
    return this.device.invite(roomId, user);
  }

  /** Sends Markdown; `@name` of a member becomes a mention of them. */
  async send(roomId: RoomId, text: string, options: SendOptions = {}): Promise<string> {
    const client = this.device.client;
    const people = client.room(roomId).participants.map((p) => ({
      userId: p.userId,
      displayName: this.nameOf(p.userId),
    }));
    const id = await client.send(roomId, linkMentions(text, people), {
      markdown: true,
      ...(options.replyTo === undefined ? {} : { replyTo: messageId(options.replyTo) }),
      ...(options.threadId === undefined ? {} : { threadId: bytes(options.threadId) }),
    });
    await client.setTyping(roomId, false).catch(() => undefined);
    return toHex(id);
  }

  async edit(roomId: RoomId, id: string, text: string): Promise<void> {
    await this.device.client.edit(roomId, messageId(id), text);
  }

  async retract(roomId: RoomId, id: string): Promise<void> {
    await this.device.client.retract(roomId, messageId(id));
  }

  /** Adds this user's reaction, or takes it back when they had it. */
  async toggleReaction(roomId: RoomId, id: string, emoji: string): Promise<void> {
    const client = this.device.client;
    const message = client.timeline(roomId).find((m) => toHex(m.messageId) === id);
    if (message?.reactions.get(emoji)?.has(this.me) === true) {
      await client.unreact(roomId, messageId(id), emoji);
    } else {
      await client.react(roomId, messageId(id), emoji);
    }
  }

  setTyping(roomId: RoomId, typing: boolean): Promise<void> {
    return this.device.client.setTyping(roomId, typing);
  }

  /** Marks the room read up to its newest message (never back). */
  async markRead(roomId: RoomId): Promise<void> {
    const client = this.device.client;
    const newest = client.timeline(roomId).at(-1);
    if (newest === undefined) return;
    const at = client.readPosition(roomId);
    if (at !== undefined && toHex(at) === toHex(newest.messageId)) return;
    await client.markRead(roomId, newest.messageId).catch((error: unknown) => {
      // The newest message can expire while the marking waits its turn.
      if (!(error instanceof ClientError && error.code === 'UNKNOWN_MESSAGE')) throw error;
    });
  }

  // ---- internals -------------------------------------------------------------------------------

  #itemContext(roomId: RoomId): ItemContext {
    let receipts: ItemContext['receipts'];
    let status: ItemContext['status'];
    try {
      receipts = this.device.client.roomReceipts(roomId);
      status = this.device.client.roomMessageStatus(roomId);
    } catch {
      receipts = undefined;
    }
    return { me: this.me, nameOf: (u) => this.nameOf(u), receipts, status };
  }

  /** Whether an unread message from someone else mentions this user. */
  #mentioned(roomId: RoomId): boolean {
    const unread = this.device.client.unreadCount(roomId);
    if (unread === 0) return false;
    return this.messages(roomId, unread).some((m) => m.mentionsMe);
  }
}
