import {
  mentionedUsers,
  messageText,
  type RoomId,
  type TimelineChange,
  type UserId,
} from '@kith/core';
import { blocksText, parseMarkdown } from './markdown.ts';

/** What a browser notification says about a message. */
export interface Notice {
  readonly roomId: RoomId;
  readonly title: string;
  readonly body: string;
}

export interface NoticeContext {
  readonly me: UserId;
  readonly nameOf: (user: UserId) => string;
  readonly dm: boolean;
  readonly roomName: string;
}

/**
 * Notices for new messages from others that a person wants to hear about while away: every
 * message of a DM, and messages that mention them elsewhere. Text only (a notification shows no
 * markup), cut to 140 characters.
 */
export function noticesFor(
  roomId: RoomId,
  changes: readonly TimelineChange[],
  context: NoticeContext,
): Notice[] {
  const out: Notice[] = [];
  for (const change of changes) {
    if (change.type !== 'added') continue;
    const m = change.message;
    if (m.sender === context.me || m.retracted) continue;
    const mentioned = mentionedUsers(m.content).includes(context.me);
    if (!context.dm && !mentioned) continue;
    const body = m.content.body;
    const raw = messageText(m.content);
    const markdown = body.kind === 'single' && body.contentType.startsWith('text/markdown');
    const text = (markdown ? blocksText(parseMarkdown(raw), context.nameOf) : raw)
      .replace(/\s+/g, ' ')
      .trim();
    const sender = context.nameOf(m.sender);
    out.push({
      roomId,
      title: context.dm ? sender : `${sender} mentioned you in ${context.roomName}`,
      body: text.length > 140 ? `${text.slice(0, 139)}…` : text,
    });
  }
  return out;
}
