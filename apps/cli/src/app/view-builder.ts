import {
  asMessageId,
  fromHex,
  messageText,
  toHex,
  type MessageId,
  type RoomId,
  type TimelineMessage,
  type UserId,
} from '@kith/core';
import type { KithNode } from '@kith/node';
import { AppError } from './app-error.ts';
import { fileView } from './file-view.ts';
import type { AppPeople } from './people.ts';
import type { AppSignals } from './signals.ts';
import { importedView } from './imported-view.ts';
import type { MessageView, RoomView } from './views.ts';

/** Rooms and messages as the daemon and the chat show them: IDs as hex, names resolved. */
export class ViewBuilder {
  readonly #node: KithNode;
  readonly #people: AppPeople;
  readonly #signals: AppSignals;
  readonly #nameOf: (user: UserId) => string;

  constructor(
    node: KithNode,
    people: AppPeople,
    signals: AppSignals,
    nameOf: (user: UserId) => string,
  ) {
    this.#node = node;
    this.#people = people;
    this.#signals = signals;
    this.#nameOf = nameOf;
  }

  room(roomId: RoomId): RoomView {
    const client = this.#node.client;
    const r = client.room(roomId);
    return {
      roomId,
      name: r.name,
      topic: r.topic,
      avatar: r.avatar ?? null,
      history: r.history,
      disappearAfterMs: r.disappearAfterMs ?? null,
      withheld: r.withheld,
      dm: r.kind === 'dm',
      active: r.active,
      members: r.participants
        .filter((p) => p.role !== 'banned')
        .map((p) => ({ userId: p.userId, displayName: this.#nameOf(p.userId), role: p.role })),
      unread: this.#unread(roomId),
      hidden: client.hiddenCount(roomId),
      mentions: this.#people.mentionedSince(
        client.timeline(roomId),
        this.#signals.readPosition(roomId),
      ),
    };
  }

  message(m: TimelineMessage, byId: ReadonlyMap<string, TimelineMessage>): MessageView {
    const reactions: Record<string, UserId[]> = {};
    for (const [emoji, users] of m.reactions) reactions[emoji] = [...users];
    return {
      messageId: toHex(m.messageId),
      sender: m.sender,
      senderName: this.#nameOf(m.sender),
      text: m.retracted ? '' : messageText(m.content),
      ts: m.ts,
      replyTo: m.inReplyTo === undefined ? null : toHex(m.inReplyTo),
      threadId: m.topicId === undefined ? null : toHex(m.topicId),
      edited: m.edited,
      retracted: m.retracted,
      reactions,
      ...this.#people.fields(m, byId),
      ...importedView(m, this.#nameOf),
      ...fileView(m),
    };
  }

  /** Messages from others after this device's read position (core places hidden ones). */
  #unread(roomId: RoomId): number {
    return this.#node.client.unreadCount(roomId);
  }
}

/** Bytes from a hex parameter; anything else is the caller's mistake. */
export function bytesOf(hex: string, what: string): Uint8Array {
  const bytes = fromHex(hex);
  if (bytes === undefined) throw new AppError('INVALID_PARAMS', `${what} must be hex`);
  return bytes;
}

export function messageIdOf(hex: string): MessageId {
  try {
    return asMessageId(bytesOf(hex, 'messageId'));
  } catch (cause) {
    if (cause instanceof AppError) throw cause;
    throw new AppError('INVALID_PARAMS', 'messageId must be the hex of a 32-byte message ID', {
      cause,
    });
  }
}
