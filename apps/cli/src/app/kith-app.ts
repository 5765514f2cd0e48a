import {
  asMessageId,
  fromHex,
  messageText,
  shortUserId,
  toHex,
  type KithEventType,
  type MessageId,
  type RoleName,
  type RoomId,
  type TimelineMessage,
  type UserId,
} from '@kith/core';
import { KithNode, type KithNodeOptions } from '@kith/node';
import { AppError } from './app-error.ts';
import type { MessageView, RoomView, SyncView, Whoami } from './views.ts';

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

const CHANGES: KithEventType[] = ['timeline', 'membership', 'room', 'joined', 'left', 'sync'];

/**
 * What a person does with Kith, in the words of the daemon's JSON-RPC and the terminal chat: IDs
 * as text, names resolved, unread counts kept. One KithNode underneath.
 */
export class KithApp {
  readonly node: KithNode;
  #displayName: string;
  readonly #readMarkers = new Map<string, string>();
  /** Counts engine changes, for callers that wait for the next one (`waitForChange`). */
  #changes = 0;
  readonly #waiters = new Set<() => void>();

  private constructor(node: KithNode, displayName: string) {
    this.node = node;
    this.#displayName = displayName;
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
    const app = new KithApp(node, name);
    for (const room of node.client.rooms()) {
      const marker = await node.appData.get<string>('read', room.roomId);
      if (marker !== undefined) app.#readMarkers.set(room.roomId, marker);
    }
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

  async setProfile(displayName: string): Promise<void> {
    if (new TextEncoder().encode(displayName).length > 64) {
      throw new AppError('INVALID_PARAMS', 'a display name is at most 64 bytes');
    }
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
    const contact = this.node.contacts().find((c) => c.userId === user);
    return contact?.displayName !== undefined && contact.displayName !== ''
      ? contact.displayName
      : shortUserId(user);
  }

  // ---- rooms -----------------------------------------------------------------------------

  async createRoom(options: { name?: string; members?: UserId[]; dm?: boolean }): Promise<RoomId> {
    return this.node.createRoom({
      ...(options.name === undefined ? {} : { name: options.name }),
      ...(options.dm === undefined ? {} : { dm: options.dm }),
      members: options.members ?? [],
    });
  }

  rooms(): RoomView[] {
    return this.node.client.rooms().map((r) => this.#roomView(r.roomId));
  }

  room(roomId: string): RoomView {
    return this.#roomView(this.#roomId(roomId));
  }

  async setRoom(roomId: string, profile: { name?: string; topic?: string }): Promise<void> {
    await this.node.client.setRoomProfile(this.#roomId(roomId), profile);
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
    options: { replyTo?: string; threadId?: string } = {},
  ): Promise<string> {
    const id = await this.node.client.send(this.#roomId(roomId), text, {
      ...(options.replyTo === undefined ? {} : { replyTo: messageIdOf(options.replyTo) }),
      ...(options.threadId === undefined
        ? {}
        : { threadId: bytesOf(options.threadId, 'threadId') }),
    });
    return toHex(id);
  }

  async edit(roomId: string, messageId: string, text: string): Promise<string> {
    return toHex(await this.node.client.edit(this.#roomId(roomId), messageIdOf(messageId), text));
  }

  async retract(roomId: string, messageId: string): Promise<string> {
    return toHex(await this.node.client.retract(this.#roomId(roomId), messageIdOf(messageId)));
  }

  async react(roomId: string, messageId: string, emoji: string): Promise<string> {
    const id = messageIdOf(messageId);
    return toHex(await this.node.client.react(this.#roomId(roomId), id, emoji));
  }

  async unreact(roomId: string, messageId: string, emoji: string): Promise<string> {
    const id = messageIdOf(messageId);
    return toHex(await this.node.client.unreact(this.#roomId(roomId), id, emoji));
  }

  /** The last `limit` messages, oldest first. */
  messages(roomId: string, limit?: number): MessageView[] {
    const all = this.node.client.timeline(this.#roomId(roomId));
    const slice = limit === undefined ? all : all.slice(Math.max(0, all.length - limit));
    return slice.map((m) => this.#messageView(m));
  }

  /** Marks everything in the room as read. */
  async markRead(roomId: string): Promise<void> {
    const id = this.#roomId(roomId);
    const last = this.node.client.timeline(id).at(-1);
    if (last === undefined) return;
    const marker = toHex(last.messageId);
    if (this.#readMarkers.get(id) === marker) return;
    this.#readMarkers.set(id, marker);
    await this.node.appData.put(marker, 'read', id);
  }

  close(): Promise<void> {
    for (const w of [...this.#waiters]) w();
    return this.node.close();
  }

  // ---- internals -------------------------------------------------------------------------

  #roomId(text: string): RoomId {
    const known = this.node.client.rooms().find((r) => r.roomId === text);
    if (known === undefined) throw new AppError('UNKNOWN_ROOM', `no room ${text} on this device`);
    return known.roomId;
  }

  #roomView(roomId: RoomId): RoomView {
    const r = this.node.client.room(roomId);
    return {
      roomId,
      name: r.name,
      topic: r.topic,
      dm: r.kind === 'dm',
      active: r.active,
      members: r.participants
        .filter((p) => p.role !== 'banned')
        .map((p) => ({ userId: p.userId, displayName: this.nameOf(p.userId), role: p.role })),
      unread: this.#unread(roomId),
    };
  }

  #unread(roomId: RoomId): number {
    const timeline = this.node.client.timeline(roomId);
    const marker = this.#readMarkers.get(roomId);
    const from =
      marker === undefined ? 0 : timeline.findIndex((m) => toHex(m.messageId) === marker) + 1;
    return timeline.slice(from).filter((m) => m.sender !== this.node.userId).length;
  }

  #messageView(m: TimelineMessage): MessageView {
    const reactions: Record<string, UserId[]> = {};
    for (const [emoji, users] of m.reactions) reactions[emoji] = [...users];
    return {
      messageId: toHex(m.messageId),
      sender: m.sender,
      senderName: this.nameOf(m.sender),
      text: m.retracted ? '' : messageText(m.content),
      ts: m.ts,
      replyTo: m.inReplyTo === undefined ? null : toHex(m.inReplyTo),
      threadId: m.topicId === undefined ? null : toHex(m.topicId),
      edited: m.edited,
      retracted: m.retracted,
      reactions,
    };
  }
}

function bytesOf(hex: string, what: string): Uint8Array {
  const bytes = fromHex(hex);
  if (bytes === undefined) throw new AppError('INVALID_PARAMS', `${what} must be hex`);
  return bytes;
}

function messageIdOf(hex: string): MessageId {
  try {
    return asMessageId(bytesOf(hex, 'messageId'));
  } catch (cause) {
    if (cause instanceof AppError) throw cause;
    throw new AppError('INVALID_PARAMS', 'messageId must be the hex of a 32-byte message ID', {
      cause,
    });
  }
}
