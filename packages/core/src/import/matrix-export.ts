import { MediaTypes } from '../content/parts.ts';
import type { NestedPart } from '../content/model.ts';
import { toHex } from '../crypto/bytes.ts';
import type { RoomId, UserId } from '../ids.ts';
import type { TimelineMessage } from '../timeline/timeline-message.ts';

/**
 * The content field that marks a `body` as GFM-MIMI Markdown. Kith writes no HTML, so a Matrix
 * client shows the Markdown source as text; Kith's own Matrix import reads it back as Markdown.
 */
export const MATRIX_MARKDOWN_FIELD = 'org.kith.markdown';

/** The server part of the Matrix IDs a Kith export makes up (`.invalid`: no server has it). */
const SERVER = 'kith.invalid';

type Json = Record<string, unknown>;

/**
 * A room's history as the JSON Element's "Export chat" writes (`{ room_name, topic,
 * export_date, exported_by, messages }`), with `messages` full client-format Matrix events:
 * an `m.room.member` per member given (with its display name), then
 * `m.room.message` for each message (`m.in_reply_to` for replies, `m.thread` for threads),
 * an `m.replace` event per edit, and an `m.annotation` per reaction and reactor. Kith users get
 * the Matrix ID `@<user ID>:kith.invalid`, messages the event ID `$<hex message ID>`; imported
 * messages keep their original author and time. Retracted messages have nothing to export.
 * `now` is the clock port's time, written as the export date.
 */
export function exportMatrix(options: {
  readonly roomId: RoomId;
  readonly name?: string;
  readonly topic?: string;
  readonly exportedBy: UserId;
  readonly now: number;
  readonly timeline: readonly TimelineMessage[];
  /** Members' display names, written as `m.room.member` events (a Matrix reader's names). */
  readonly members?: readonly { readonly userId: UserId; readonly displayName?: string }[];
}): string {
  const roomId = `!${options.roomId.toLowerCase()}:${SERVER}`;
  const events: Json[] = [];
  // Before every message, so a reader knows the names when the messages come.
  const start = options.timeline.reduce((t, m) => Math.min(t, m.imported?.ts ?? m.ts), options.now);
  for (const m of options.members ?? []) {
    const user = matrixUserId(m.userId);
    events.push({
      type: 'm.room.member',
      event_id: `$member-${m.userId.toLowerCase()}`,
      sender: user,
      state_key: user,
      origin_server_ts: start,
      room_id: roomId,
      content: {
        membership: 'join',
        ...(m.displayName === undefined || m.displayName === ''
          ? {}
          : { displayname: m.displayName }),
      },
    });
  }
  /** Per thread root (hex): the last event in the thread, the reply fallback of the next. */
  const threadLast = new Map<string, string>();
  for (const m of options.timeline) {
    if (m.retracted || m.edits.length === 0) continue;
    const sender = senderOf(m);
    const ts = m.imported?.ts ?? m.ts;
    const eventId = eventIdOf(m.messageId);
    const [first, ...edits] = m.edits;
    if (first === undefined) continue;
    const relates = relation(m, threadLast);
    events.push({
      type: 'm.room.message',
      event_id: eventId,
      sender,
      origin_server_ts: ts,
      room_id: roomId,
      content: { ...messageContent(first.content.body), ...relates },
    });
    if (m.topicId !== undefined) threadLast.set(toHex(m.topicId), eventId);
    for (const v of edits) {
      const content = messageContent(v.content.body);
      events.push({
        type: 'm.room.message',
        event_id: eventIdOf(v.messageId),
        sender,
        origin_server_ts: Math.max(ts, v.ts),
        room_id: roomId,
        content: {
          ...content,
          body: `* ${String(content['body'])}`,
          'm.new_content': content,
          'm.relates_to': { rel_type: 'm.replace', event_id: eventId },
        },
      });
    }
    let r = 0;
    for (const [key, users] of m.reactions) {
      for (const user of users) {
        events.push({
          type: 'm.reaction',
          event_id: `${eventId}-r${r++}`,
          sender: matrixUserId(user),
          origin_server_ts: ts,
          room_id: roomId,
          content: { 'm.relates_to': { rel_type: 'm.annotation', event_id: eventId, key } },
        });
      }
    }
  }
  return `${JSON.stringify(
    {
      room_name: options.name ?? '',
      topic: options.topic ?? '',
      export_date: new Date(options.now).toISOString(),
      exported_by: matrixUserId(options.exportedBy),
      messages: events,
    },
    null,
    2,
  )}\n`;
}

/** `@<user ID>:kith.invalid`: Kith user IDs are lowercase base32, valid Matrix localparts. */
export function matrixUserId(user: UserId): string {
  return `@${user.toLowerCase()}:${SERVER}`;
}

function eventIdOf(messageId: Uint8Array): string {
  return `$${toHex(messageId)}`;
}

/** The original author of an imported message when it was a Matrix user, else the Kith user. */
function senderOf(m: TimelineMessage): string {
  const origin = m.imported?.sender;
  return origin !== undefined && /^@[^:\s]+:\S+$/.test(origin) ? origin : matrixUserId(m.sender);
}

function relation(m: TimelineMessage, threadLast: ReadonlyMap<string, string>): Json {
  const reply = m.inReplyTo === undefined ? undefined : eventIdOf(m.inReplyTo);
  if (m.topicId === undefined || m.topicId.length === 0) {
    return reply === undefined ? {} : { 'm.relates_to': { 'm.in_reply_to': { event_id: reply } } };
  }
  const root = eventIdOf(m.topicId);
  // A thread event names its root; its `m.in_reply_to` is a real reply only when not falling back.
  const fallback = threadLast.get(toHex(m.topicId)) ?? root;
  return {
    'm.relates_to': {
      rel_type: 'm.thread',
      event_id: root,
      is_falling_back: reply === undefined,
      'm.in_reply_to': { event_id: reply ?? fallback },
    },
  };
}

/** `msgtype` and `body` (with the Markdown mark) of a Kith message body. */
function messageContent(body: NestedPart): Json {
  if (body.kind === 'single') {
    const text = new TextDecoder().decode(body.content);
    if (body.contentType === MediaTypes.markdown) {
      return { msgtype: 'm.text', body: text, [MATRIX_MARKDOWN_FIELD]: true };
    }
    if (body.contentType.startsWith('text/')) return { msgtype: 'm.text', body: text };
    return { msgtype: 'm.notice', body: `[${body.contentType}]` };
  }
  if (body.kind === 'external') {
    const name = body.filename === '' ? body.url : body.filename;
    return {
      msgtype: 'm.file',
      body: name,
      filename: name,
      info: { mimetype: body.contentType, size: body.size },
    };
  }
  if (body.kind === 'multi') {
    const parts = body.parts.map((p) => String(messageContent(p)['body']));
    return { msgtype: 'm.text', body: parts.join('\n') };
  }
  return { msgtype: 'm.notice', body: '' };
}
