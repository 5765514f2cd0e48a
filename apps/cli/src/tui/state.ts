import type { SystemItem } from '../app/system-log.ts';
import type { Composer } from './editor.ts';
import type { Segment } from './text.ts';

export type { SystemItem };

/** What the screen shows, as plain data: everything `render` needs and nothing else. */
export interface ChatState {
  /** This user's display name. */
  readonly me: string;
  readonly rooms: readonly RoomItem[];
  /** Index into `rooms` of the room on screen, or -1 when there is none. */
  readonly current: number;
  /** The current room's messages and system lines, oldest first. */
  readonly timeline: readonly TimelineItem[];
  readonly status: StatusInfo;
  readonly notice: Notice | undefined;
  readonly composer: Composer;
  /** Help, contacts and other lists shown over the timeline until Esc. */
  readonly panel: Panel | undefined;
  /** Rows the timeline is scrolled up from the newest. */
  readonly scroll: number;
  /** The thread followed in the current room (only its messages show); undefined for all. */
  readonly thread?: { readonly label: string };
}

export interface RoomItem {
  readonly roomId: string;
  /** The room's name, or "DM with X", or its members' names. */
  readonly label: string;
  readonly topic: string;
  readonly unread: number;
  /** False once this device left or was removed. */
  readonly active: boolean;
  /** When not active, how this device came to be out, if it saw it happen. */
  readonly departure?: 'left' | 'removed' | 'banned';
  /** Whether an unread message mentions this user. */
  readonly mentions?: boolean;
  /** Every message here disappears this many ms after it is sent. */
  readonly disappearAfterMs?: number;
  /** Messages from before this device joined that the room did not share with it. */
  readonly withheld?: number;
}

export type TimelineItem = MessageItem | SystemItem;

export interface MessageItem {
  readonly kind: 'message';
  /** The number commands like /reply take: its position in the room, counting from 1, oldest first. */
  readonly n: number;
  readonly ts: number;
  readonly senderName: string;
  readonly mine: boolean;
  readonly text: string;
  readonly edited: boolean;
  readonly retracted: boolean;
  /** The message this one replies to; `missing` when it is not on this device (yet). */
  readonly quote?:
    { readonly senderName: string; readonly text: string } | { readonly missing: true };
  /** Each reaction and how many reacted with it, in the order first seen. */
  readonly reactions: readonly (readonly [emoji: string, count: number])[];
  /** The text as styled Markdown (GFM-MIMI messages); `text` is shown when absent. */
  readonly rich?: readonly Segment[];
  /** Whether the message mentions this user. */
  readonly mentionsMe?: boolean;
  /** Posted in a thread (MIMI topic). */
  readonly inThread?: boolean;
  /** Imported history: the original author's name and time (`senderName` is the importer). */
  readonly imported?: { readonly senderName: string; readonly ts: number };
  /** For a thread's first message: how many messages were posted in the thread. */
  readonly threadReplies?: number;
  /** For this user's messages: how far it got (see `receiptOf`). */
  readonly receipt?: 'sending' | 'sent' | 'stored' | 'delivered' | 'read';
  /** With `read`: by how many users. */
  readonly readBy?: number;
  /** The file the message carries, as one line ("📎 view.png · 1.2 MB · image/png"). */
  readonly file?: string;
}

export interface StatusInfo {
  /** Devices connected now that speak Kith. */
  readonly peers: number;
  /** Relays given on the command line. */
  readonly relays: number;
  /** How many of them this device is connected to now (unknown: not shown). */
  readonly relaysUp?: number;
  /** While none is connected and the device waits to try again: how long until it does. */
  readonly relayRetryInMs?: number;
  /**
   * The current room's sync state; undefined without a room. `unsent` counts this device's
   * updates no member has confirmed yet: shown only when nothing is reachable (no peer, no
   * relay), since otherwise they are on their way or stored on a relay.
   */
  readonly sync:
    { readonly complete: boolean; readonly waiting: number; readonly unsent: number } | undefined;
  /** Who is typing in the current room ("ana is typing…"), if anyone. */
  readonly typing?: string;
}

export interface Notice {
  readonly text: string;
  readonly kind: 'info' | 'error' | 'warning';
}

export interface Panel {
  readonly title: string;
  readonly lines: readonly string[];
}
