import type { Composer } from './editor.ts';

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
}

export interface RoomItem {
  readonly roomId: string;
  /** The room's name, or "DM with X", or its members' names. */
  readonly label: string;
  readonly topic: string;
  readonly unread: number;
  /** False once this device left or was removed. */
  readonly active: boolean;
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
}

export interface SystemItem {
  readonly kind: 'system';
  readonly ts: number;
  readonly text: string;
}

export interface StatusInfo {
  /** Devices connected now that speak Kith. */
  readonly peers: number;
  /** Relays given on the command line. */
  readonly relays: number;
  /** The current room's sync state; undefined without a room. */
  readonly sync:
    { readonly complete: boolean; readonly waiting: number; readonly unsent: number } | undefined;
}

export interface Notice {
  readonly text: string;
  readonly kind: 'info' | 'error' | 'warning';
}

export interface Panel {
  readonly title: string;
  readonly lines: readonly string[];
}
