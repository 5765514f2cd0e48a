import type { MessageView } from '../../src/app/views.ts';
import { EMPTY_COMPOSER } from '../../src/tui/editor.ts';
import type { ChatState, MessageItem, RoomItem } from '../../src/tui/state.ts';
import { plain } from '../../src/tui/text.ts';

/** 2024-05-06 14:03 local time: the clock of every message here. */
export const TS = new Date(2024, 4, 6, 14, 3).getTime();

export function room(label: string, unread = 0, extra: Partial<RoomItem> = {}): RoomItem {
  return { roomId: `r-${label}`, label, topic: '', unread, active: true, ...extra };
}

export function message(n: number, text: string, extra: Partial<MessageItem> = {}): MessageItem {
  return {
    kind: 'message',
    n,
    ts: TS,
    senderName: 'ben',
    mine: false,
    text,
    edited: false,
    retracted: false,
    reactions: [],
    ...extra,
  };
}

/** A screen with one room open and nothing in it, to change field by field. */
export function state(extra: Partial<ChatState> = {}): ChatState {
  return {
    me: 'ana',
    rooms: [room('team')],
    current: 0,
    timeline: [],
    status: { peers: 2, relays: 1, sync: { complete: true, waiting: 0, unsent: 0 } },
    notice: undefined,
    composer: EMPTY_COMPOSER,
    panel: undefined,
    scroll: 0,
    ...extra,
  };
}

/** Rows as plain text, trailing spaces trimmed. */
export function text(rows: readonly string[]): string[] {
  return rows.map((r) => plain(r).trimEnd());
}

/** A message as the app layer hands it to the chat: plain text from `sender`, nothing else. */
export function messageView(
  id: string,
  sender: string,
  text: string,
  extra: Partial<MessageView> = {},
): MessageView {
  return {
    messageId: id,
    sender: sender as MessageView['sender'],
    senderName: 'ben',
    text,
    ts: TS,
    replyTo: null,
    threadId: null,
    edited: false,
    retracted: false,
    reactions: {},
    markdown: false,
    mentions: [],
    mentionsMe: false,
    quote: null,
    ...extra,
  };
}
