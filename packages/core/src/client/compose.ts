import {
  edit,
  markdownMessage,
  reaction,
  retraction,
  textMessage,
  unreaction,
  type MessageOptions,
  type MessageRef,
} from '../content/builders.ts';
import { asMessageId, type MessageId } from '../content/message-id.ts';
import type { MimiContent } from '../content/model.ts';
import { markdownPart, MediaTypes, textPart } from '../content/parts.ts';
import type { UserId } from '../ids.ts';
import type { Capability } from '../room/capabilities.ts';
import { can } from '../room/room-state.ts';
import { ClientError } from './errors.ts';
import type { RoomSession } from './room-session.ts';

/** How `KithClient.send` sends a message: as a reply, in a thread, as Markdown, disappearing. */
export interface SendOptions {
  /** The message this one answers (MIMI inReplyTo). */
  readonly replyTo?: MessageId;
  /** A thread (MIMI topicId) to post in. */
  readonly threadId?: Uint8Array;
  /** The text is Markdown (text/markdown) rather than plain text. */
  readonly markdown?: boolean;
  /** Disappearing message: deleted from every member's store this long after sending. */
  readonly expiresInMs?: number;
}

/**
 * The MIMI content of what a user does in a room, after the same checks every other member
 * will make: a refused action throws a ClientError here and is never sent.
 */
export function composeMessage(
  session: RoomSession,
  user: UserId,
  text: string,
  options: SendOptions,
  base: MessageOptions,
): MimiContent {
  need(session, user, 'canSendMessage', 'send messages');
  if (options.replyTo !== undefined) target(session, options.replyTo);
  const opts: MessageOptions = {
    ...base,
    ...(options.replyTo === undefined ? {} : { inReplyTo: options.replyTo }),
    ...(options.threadId === undefined ? {} : { topicId: options.threadId }),
  };
  return options.markdown === true ? markdownMessage(text, opts) : textMessage(text, opts);
}

export function composeEdit(
  session: RoomSession,
  user: UserId,
  messageId: MessageId,
  text: string,
  base: MessageOptions,
): MimiContent {
  const ref = target(session, messageId);
  if (ref.sender !== user)
    throw new ClientError('NOT_ALLOWED', 'only the author may edit a message');
  need(session, user, 'canEditOwnMessage', 'edit messages');
  // An edit keeps the message's format: Markdown stays Markdown.
  const body = ref.content.body;
  const markdown = body.kind === 'single' && body.contentType === MediaTypes.markdown;
  return edit(ref, markdown ? markdownPart(text) : textPart(text), base);
}

export function composeRetraction(
  session: RoomSession,
  user: UserId,
  messageId: MessageId,
  base: MessageOptions,
): MimiContent {
  const ref = target(session, messageId);
  if (ref.sender === user) need(session, user, 'canDeleteOwnMessage', 'retract messages');
  else need(session, user, 'canDeleteOtherMessage', "retract other people's messages");
  return retraction(ref, base);
}

export function composeReaction(
  session: RoomSession,
  user: UserId,
  messageId: MessageId,
  emoji: string,
  base: MessageOptions,
): MimiContent {
  target(session, messageId);
  need(session, user, 'canReactToMessage', 'react');
  return reaction(messageId, emoji, base);
}

export function composeUnreaction(
  session: RoomSession,
  user: UserId,
  messageId: MessageId,
  emoji: string,
  base: MessageOptions,
): MimiContent {
  const own = session.doc.reactionOf(messageId, emoji, user);
  if (own === undefined) {
    throw new ClientError('UNKNOWN_MESSAGE', `you have not reacted with ${emoji} to this message`);
  }
  return unreaction(own, base);
}

function target(session: RoomSession, messageId: MessageId): MessageRef & { sender: UserId } {
  const m = session.doc.message(asMessageId(messageId));
  if (m === undefined) throw new ClientError('UNKNOWN_MESSAGE', 'no such message in this room');
  if (m.retracted) throw new ClientError('UNKNOWN_MESSAGE', 'that message was retracted');
  return { messageId: m.messageId, content: m.content, sender: m.sender };
}

function need(session: RoomSession, user: UserId, capability: Capability, what: string): void {
  if (!can(session.group.room, user, capability)) {
    throw new ClientError('NOT_ALLOWED', `your role may not ${what} in this room`);
  }
}
