import {
  isUserId,
  mentionedUsers,
  messageText,
  toHex,
  type RoomMessageStatus,
  type RoomReceipts,
  type TimelineMessage,
  type UserId,
} from '@kith/core';
import { BlockCache } from './block-cache.ts';
import { fileOf, type FileItem } from './file-item.ts';
import { parseMarkdown, type Block } from './markdown.ts';

const blockCache = new BlockCache();

/** A reaction as a message shows it: who reacted, and whether this user did. */
interface ReactionItem {
  readonly emoji: string;
  readonly count: number;
  readonly mine: boolean;
  readonly names: readonly string[];
}

/** Where one of this user's messages has got to. */
interface ReceiptItem {
  /**
   * 'sending': not yet handed to the network; 'sent': published; 'stored': a room relay keeps
   * it; 'delivered': another member has it; 'read': read by one. (Messages from this user's
   * other devices show only what members' markers say: delivered or read, else sent.)
   */
  readonly state: 'sending' | 'sent' | 'stored' | 'delivered' | 'read';
  readonly deliveredTo: number;
  readonly readBy: number;
  readonly text: string;
}

/** A message as the timeline shows it. */
export interface MessageItem {
  /** Hex of its MIMI message ID. */
  readonly messageId: string;
  readonly sender: UserId;
  readonly senderName: string;
  readonly mine: boolean;
  readonly ts: number;
  /** Imported history: who it was imported by (the sender above is the original author). */
  readonly importedBy: string | undefined;
  /** Its text as Markdown blocks (plain text is one paragraph per line run). */
  readonly blocks: readonly Block[];
  /** Its text as written (for editing and quotes). */
  readonly text: string;
  readonly edited: boolean;
  /** Every version's text and time, the original first (edited messages only). */
  readonly versions: readonly { readonly text: string; readonly ts: number }[];
  readonly retracted: boolean;
  readonly reactions: readonly ReactionItem[];
  readonly quote: { readonly senderName: string; readonly text: string } | undefined;
  readonly threadId: string | undefined;
  readonly mentionsMe: boolean;
  /** When it disappears for everyone (ms since the epoch), if it does. */
  readonly expiresAt: number | undefined;
  /** For this user's own messages. */
  readonly receipt: ReceiptItem | undefined;
  /** The file it carries (its caption is `text`). */
  readonly file?: FileItem;
}

/** What message items need around them: the reader, names, and the room's receipts. */
export interface ItemContext {
  readonly me: UserId;
  readonly nameOf: (user: UserId) => string;
  readonly receipts: RoomReceipts | undefined;
  /** This device's own messages' delivery states. */
  readonly status?: RoomMessageStatus | undefined;
}

/** Timeline messages as items; `all` (the room's messages) resolves quotes. */
export function messageItems(
  messages: readonly TimelineMessage[],
  all: readonly TimelineMessage[],
  context: ItemContext,
): MessageItem[] {
  const byId = new Map(all.map((m) => [toHex(m.messageId), m]));
  return messages.map((m) => messageItem(m, byId, context));
}

function messageItem(
  m: TimelineMessage,
  byId: ReadonlyMap<string, TimelineMessage>,
  { me, nameOf, receipts, status }: ItemContext,
): MessageItem {
  const file = m.retracted ? undefined : fileOf(m.content);
  const text = m.retracted ? '' : (file?.caption ?? messageText(m.content));
  const original = m.inReplyTo === undefined ? undefined : byId.get(toHex(m.inReplyTo));
  const origin = m.imported;
  const mine = m.sender === me && origin === undefined;
  return {
    messageId: toHex(m.messageId),
    sender: m.sender,
    senderName: origin === undefined ? nameOf(m.sender) : originalName(origin, nameOf),
    mine,
    ts: origin?.ts ?? m.ts,
    importedBy: origin === undefined ? undefined : nameOf(m.sender),
    blocks: m.retracted
      ? []
      : isMarkdown(m)
        ? blockCache.get(true, text, parseMarkdown)
        : blockCache.get(false, text, plainBlocks),
    text,
    edited: m.edited,
    versions: m.edited ? m.edits.map((v) => ({ text: messageText(v.content), ts: v.ts })) : [],
    retracted: m.retracted,
    reactions: [...m.reactions]
      .filter(([, users]) => users.size > 0)
      .map(([emoji, users]) => ({
        emoji,
        count: users.size,
        mine: users.has(me),
        names: [...users].map(nameOf),
      })),
    quote:
      original === undefined
        ? undefined
        : {
            senderName: nameOf(original.sender),
            text: original.retracted ? 'Message deleted' : messageText(original.content),
          },
    threadId: m.topicId === undefined ? undefined : toHex(m.topicId),
    mentionsMe: !mine && !m.retracted && mentionsOf(m).includes(me),
    expiresAt:
      m.content.expires === null || m.content.expires.relative
        ? undefined
        : m.content.expires.time * 1000,
    receipt: mine ? receiptOf(m, receipts, status) : undefined,
    ...(file === undefined ? {} : { file: file.file }),
  };
}

/** The original author of an imported message, by the name the export or this device gives. */
function originalName(
  origin: NonNullable<TimelineMessage['imported']>,
  nameOf: (user: UserId) => string,
): string {
  if (origin.name !== undefined && origin.name !== '') return origin.name;
  const id = origin.sender.startsWith('kith:user/') ? origin.sender.slice('kith:user/'.length) : '';
  return isUserId(id) ? nameOf(id) : origin.sender;
}

function receiptOf(
  m: TimelineMessage,
  receipts: RoomReceipts | undefined,
  status: RoomMessageStatus | undefined,
): ReceiptItem {
  const own = status?.of(m);
  if (own !== undefined) {
    const deliveredTo = own.delivered;
    const readBy = own.readBy.length;
    const counts = { state: own.state, deliveredTo, readBy };
    switch (own.state) {
      case 'sending':
        return { ...counts, text: '◷ Sending' };
      case 'sent':
        return { ...counts, text: '✓ Sent' };
      case 'stored':
        return { ...counts, text: '✓ Stored on a relay' };
      case 'delivered':
        return { ...counts, text: `✓✓ Delivered to ${deliveredTo}` };
      case 'read':
        return { ...counts, text: `✓✓ Read by ${readBy}` };
    }
  }
  const r = receipts?.of(m.messageId);
  const deliveredTo = r?.deliveredTo.length ?? 0;
  const readBy = r?.readBy.length ?? 0;
  if (readBy > 0) return { state: 'read', deliveredTo, readBy, text: `✓✓ Read by ${readBy}` };
  if (deliveredTo > 0) {
    return { state: 'delivered', deliveredTo, readBy, text: `✓✓ Delivered to ${deliveredTo}` };
  }
  return { state: 'sent', deliveredTo, readBy, text: '✓ Sent' };
}

function isMarkdown(m: TimelineMessage): boolean {
  const body = m.content.body;
  // A file's caption is the first part of a processAll multipart.
  const text = body.kind === 'multi' && body.semantics === 'processAll' ? body.parts[0] : body;
  return text?.kind === 'single' && text.contentType.startsWith('text/markdown');
}

/** Plain text: its paragraphs, each a text run with line breaks; nothing in it is markup. */
function plainBlocks(text: string): Block[] {
  return text
    .split(/\n{2,}/)
    .filter((p) => p.trim() !== '')
    .map((p) => ({
      t: 'p',
      c: p
        .split('\n')
        .flatMap((line, i) => [
          ...(i > 0 ? [{ t: 'br' as const }] : []),
          { t: 'text' as const, v: line },
        ]),
    }));
}

/** The users a message mentions; text without a user URI is not scanned (most messages). */
function mentionsOf(m: TimelineMessage): UserId[] {
  if (!messageText(m.content).includes('kith:user/')) return [];
  return mentionedUsers(m.content);
}
