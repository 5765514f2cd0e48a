import type { DeviceId, UserId } from '@kith/core';
import type { FileView } from './file-view.ts';
import type { StatusView } from './signals.ts';

/** What the daemon's JSON-RPC and the terminal chat show: plain data, JSON-safe. */
export interface Whoami {
  readonly userId: UserId;
  readonly deviceId: DeviceId;
  readonly displayName: string;
  readonly addresses: string[];
  readonly contactLink: string;
}

interface MemberView {
  readonly userId: UserId;
  readonly displayName: string;
  readonly role: string;
}

export interface RoomView {
  readonly roomId: string;
  readonly name: string;
  readonly topic: string;
  /** The room's avatar (an image reference), or null. */
  readonly avatar: string | null;
  /** What members who join later may read: `all`, or `since-joined`. */
  readonly history: 'all' | 'since-joined';
  /** Every message disappears this many ms after sending, for everyone; null: never. */
  readonly disappearAfterMs: number | null;
  /** Messages of this room whose content was not shared with this device (before it joined). */
  readonly withheld: number;
  readonly dm: boolean;
  /** False once this device left or was removed. */
  readonly active: boolean;
  /** When not active, how this device came to be out, if it saw it happen. */
  readonly departure?: 'left' | 'removed' | 'banned';
  readonly members: MemberView[];
  /** Messages from others after this device's read marker. */
  readonly unread: number;
  /** Whether one of those unread messages mentions this user. */
  readonly mentions: boolean;
  /** Messages from users this user blocks, kept but not shown. */
  readonly hidden?: number;
}

export interface MessageView {
  /** Hex of the MIMI message ID. */
  readonly messageId: string;
  readonly sender: UserId;
  readonly senderName: string;
  readonly text: string;
  /** Milliseconds since the Unix epoch, as the sender stamped it. */
  readonly ts: number;
  readonly replyTo: string | null;
  readonly threadId: string | null;
  readonly edited: boolean;
  readonly retracted: boolean;
  readonly reactions: Record<string, UserId[]>;
  /** Whether `text` is GFM-MIMI Markdown (mentions are links to `kith:user/<user ID>`). */
  readonly markdown: boolean;
  /** The users the message mentions. */
  readonly mentions: UserId[];
  readonly mentionsMe: boolean;
  /** For a reply: the message it answers, when this device holds it. */
  readonly quote: QuoteView | null;
  /** Imported history: who wrote it first, where, and when (`sender` is who imported it). */
  readonly imported?: ImportedView;
  /** In `messages`: users (the sender aside) with a device that has it, and that read it. */
  readonly deliveredTo?: number;
  readonly readBy?: number;
  /** In `messages`, for this device's own messages: how far it got (see `messageStatus`). */
  readonly status?: StatusView;
  /** The file the message carries, with its preview (see `downloadFile`). */
  readonly file?: FileView;
}

export interface SyncView {
  /** True when no member this device has talked to holds anything it lacks. */
  readonly complete: boolean;
  readonly epoch: string;
  /** Messages held until an earlier one arrives. */
  readonly waiting: number;
  /** This device's messages no other member has confirmed yet. */
  readonly unsent: number;
}

export interface BlockedView {
  readonly userId: UserId;
  readonly displayName: string;
  /** When this user was blocked, milliseconds since the Unix epoch (this device's clock). */
  readonly since: number;
}

/** An invitation this device turned down (a block or the invite policy); it never joined. */
export interface RefusedInviteView {
  readonly roomId: string;
  /** The inviting user; null when the invitation did not come from a device of the room. */
  readonly from: UserId | null;
  readonly fromName: string | null;
  /** 'blocked', 'not-a-contact', 'nobody' or 'unknown-inviter'. */
  readonly reason: string;
  readonly ts: number;
}

/** A room member with their profile: what `members` shows. */
export interface MemberDetailView {
  readonly userId: UserId;
  readonly displayName: string;
  readonly role: string;
  /** An image reference (a URI) the user chose, or null. */
  readonly avatar: string | null;
  readonly devices: { readonly deviceId: DeviceId; readonly deviceName: string }[];
}

/** The original author and time of an imported message. */
export interface ImportedView {
  /** As the service it came from names them: `@alice:example.org`, `kith:user/...`. */
  readonly sender: string;
  /** Their display name in the export, or a Kith user's name here, else `sender`. */
  readonly senderName: string;
  /** Milliseconds since the Unix epoch, the original time. */
  readonly ts: number;
}

/** The message a reply answers, as the reply shows it (MIMI's quoted fallback). */
export interface QuoteView {
  readonly messageId: string;
  readonly sender: UserId;
  readonly senderName: string;
  /** '' when the original was retracted. */
  readonly text: string;
  readonly retracted: boolean;
}

/** A thread (MIMI topic) of a room. */
export interface ThreadView {
  /** Hex of the topic ID: the ID of the message the thread started from. */
  readonly threadId: string;
  /** That message, when this device holds it. */
  readonly root: MessageView | null;
  /** Messages posted in the thread (retracted ones not counted). */
  readonly replies: number;
  /** Milliseconds since the Unix epoch, by the sender's clock, of the newest message in it. */
  readonly lastActivity: number;
  readonly participants: { readonly userId: UserId; readonly displayName: string }[];
}

/** One version of an edited message, oldest first. */
export interface VersionView {
  readonly messageId: string;
  readonly text: string;
  readonly ts: number;
  readonly deviceId: DeviceId;
}

/** What this user's role lets them do in a room. */
export interface CapabilitiesView {
  readonly role: string;
  /** MIMI capability names (canSendMessage, canBan...). */
  readonly capabilities: string[];
  readonly invitesRestricted: boolean;
}
