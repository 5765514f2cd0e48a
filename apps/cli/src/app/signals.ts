import {
  asMessageId,
  ClientError,
  fromHex,
  PRESENCE_STATES,
  toHex,
  type KithClient,
  type MessageId,
  type PresenceState,
  type RoomId,
  type DeliveryState,
  type DeliveryStatus,
  type RoomMessageStatus,
  type RoomReceipts,
  type SignalSettings,
  type TimelineMessage,
  type UserId,
  type UserPresence,
} from '@kith/core';
import { AppError } from './app-error.ts';

/** A person as a view names them. */
export interface PersonView {
  readonly userId: UserId;
  readonly displayName: string;
}

/** Who has a message and who has read it (the sender's own devices left out). */
export interface ReceiptsView {
  readonly messageId: string;
  readonly deliveredTo: PersonView[];
  readonly readBy: PersonView[];
}

/**
 * How far one of this device's own messages got: `sending`, `sent`, `stored` (a relay keeps
 * it), `delivered` (to `delivered` of `devices` member devices of other users) or `read` (by
 * `readBy` users).
 */
export interface StatusView {
  readonly state: DeliveryState;
  readonly delivered: number;
  readonly devices: number;
  readonly readBy: number;
}

export interface PresenceView extends PersonView {
  /** 'online', 'away' or 'offline'. */
  readonly state: PresenceState;
  /** When a device of theirs last announced itself (ms since the epoch, this device's clock). */
  readonly lastSeen: number;
}

/** The switches of `setSignals`: each says whether this device sends that signal. */
export type SignalsView = SignalSettings;

/**
 * Receipts, typing and presence as the daemon and the chat offer them. The engine rate-limits
 * and keeps everything; this adds names and takes IDs as text.
 */
export class AppSignals {
  readonly #client: KithClient;
  readonly #nameOf: (user: UserId) => string;
  readonly #roomId: (text: string) => RoomId;

  /** `roomIdOf` finds a room of this device by its ID as text (UNKNOWN_ROOM otherwise). */
  constructor(
    client: KithClient,
    nameOf: (user: UserId) => string,
    roomIdOf: (text: string) => RoomId,
  ) {
    this.#client = client;
    this.#nameOf = nameOf;
    this.#roomId = roomIdOf;
  }

  /** Marks the room read up to `messageId` (hex), or up to its newest message. */
  async markRead(roomId: string, messageId?: string): Promise<void> {
    const room = this.#roomId(roomId);
    const target =
      messageId === undefined
        ? this.#client.timeline(room).at(-1)?.messageId
        : messageIdOf(messageId);
    if (target === undefined) return;
    await this.#client.markRead(room, target).catch((error: unknown) => {
      // The newest message can disappear (expire) while the marking waits its turn.
      const gone = error instanceof ClientError && error.code === 'UNKNOWN_MESSAGE';
      if (messageId !== undefined || !gone) throw error;
    });
  }

  /** Hex of the message this user has read up to, on this device. */
  readPosition(roomId: RoomId): string | undefined {
    const position = this.#client.readPosition(roomId);
    return position === undefined ? undefined : toHex(position);
  }

  receipts(roomId: string, messageId: string): ReceiptsView {
    const r = this.#client.receipts(this.#roomId(roomId), messageIdOf(messageId));
    return {
      messageId: toHex(r.messageId),
      deliveredTo: r.deliveredTo.map((u) => this.#person(u)),
      readBy: r.readBy.map((u) => this.#person(u)),
    };
  }

  /**
   * Per-message counts for a list of messages of one room: `deliveredTo` and `readBy` users.
   * Undefined when the room's receipts cannot be read (this device left it).
   */
  counter(
    roomId: RoomId,
  ):
    | ((m: TimelineMessage) => { deliveredTo: number; readBy: number; status?: StatusView })
    | undefined {
    let receipts: RoomReceipts;
    let states: RoomMessageStatus;
    try {
      receipts = this.#client.roomReceipts(roomId);
      states = this.#client.roomMessageStatus(roomId);
    } catch {
      return undefined;
    }
    return (m) => {
      const r = receipts.of(m.messageId);
      const status = states.of(m);
      return {
        deliveredTo: r?.deliveredTo.length ?? 0,
        readBy: r?.readBy.length ?? 0,
        ...(status === undefined ? {} : { status: statusView(status) }),
      };
    };
  }

  /** The delivery state of one of this device's own messages; null for anyone else's. */
  status(roomId: string, messageId: string): StatusView | null {
    const status = this.#client.messageStatus(this.#roomId(roomId), messageIdOf(messageId));
    return status === undefined ? null : statusView(status);
  }

  setTyping(roomId: string, typing: boolean): Promise<void> {
    return this.#client.setTyping(this.#roomId(roomId), typing);
  }

  typing(roomId: string): PersonView[] {
    return this.#client.typing(this.#roomId(roomId)).map((u) => this.#person(u));
  }

  setPresence(state: string): Promise<void> {
    if (!isPresenceState(state)) {
      throw new AppError('INVALID_PARAMS', `state must be one of ${PRESENCE_STATES.join(', ')}`);
    }
    return this.#client.setPresence(state);
  }

  /** One user's presence, or everyone's heard from. */
  presence(user?: UserId): PresenceView[] {
    const list =
      user === undefined
        ? this.#client.presenceList()
        : [this.#client.presence(user)].filter((p) => p !== undefined);
    return list.map((p: UserPresence) => ({
      ...this.#person(p.user),
      state: p.state,
      lastSeen: p.lastSeen,
    }));
  }

  settings(): SignalsView {
    return this.#client.signals;
  }

  async setSettings(change: Partial<SignalSettings>): Promise<SignalsView> {
    await this.#client.setSignals(change);
    return this.#client.signals;
  }

  #person(user: UserId): PersonView {
    return { userId: user, displayName: this.#nameOf(user) };
  }
}

function messageIdOf(hex: string): MessageId {
  const bytes = fromHex(hex);
  try {
    if (bytes === undefined) throw new Error('not hex');
    return asMessageId(bytes);
  } catch (cause) {
    throw new AppError('INVALID_PARAMS', 'messageId must be the hex of a 32-byte message ID', {
      cause,
    });
  }
}

function isPresenceState(state: string): state is PresenceState {
  return (PRESENCE_STATES as readonly string[]).includes(state);
}

function statusView(s: DeliveryStatus): StatusView {
  return { state: s.state, delivered: s.delivered, devices: s.devices, readBy: s.readBy.length };
}
