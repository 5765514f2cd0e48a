import type { MessageId } from '../content/message-id.ts';
import type { MimiContent } from '../content/model.ts';
import type { DeviceId, UserId } from '../ids.ts';
import type { ImportOrigin } from '../import/origin.ts';

/** One version of a message: the original, or an edit. */
export interface MessageVersion {
  /** The ID of this version (an edit has its own). */
  readonly messageId: MessageId;
  /** The MIMI content of this version. */
  readonly content: MimiContent;
  /** The device that wrote this version. */
  readonly senderDevice: DeviceId;
  /** The sender's clock when this version was written (display only). */
  readonly ts: number;
  /** Its Lamport time in the timeline's order. */
  readonly lamport: number;
}

/** A message as the user sees it, with its edits, retraction and reactions folded in. */
export interface TimelineMessage {
  /** The ID of the first version; edits and reactions refer to it. */
  readonly messageId: MessageId;
  /** The user who wrote it (for imported history: who imported it; see `imported`). */
  readonly sender: UserId;
  /** The device that wrote it. */
  readonly senderDevice: DeviceId;
  /** The sender's clock when it was sent (display only). */
  readonly ts: number;
  /** Its Lamport time: with the author device, the order every member shows messages in. */
  readonly lamport: number;
  /** The latest version; a null body once retracted. */
  readonly content: MimiContent;
  /** The message this one answers, if it is a reply. */
  readonly inReplyTo?: MessageId;
  /** The thread (MIMI topic) it was posted in, if any. */
  readonly topicId?: Uint8Array;
  /** Every version, oldest first (the original first). Empty once retracted. */
  readonly edits: readonly MessageVersion[];
  /** True once it has been edited (`edits` holds every version). */
  readonly edited: boolean;
  /** True once it has been retracted: its content is gone from every member's store. */
  readonly retracted: boolean;
  /** Who retracted it: its author, or a moderator. */
  readonly retractedBy?: UserId;
  /** Reaction text to the users who reacted with it. */
  readonly reactions: ReadonlyMap<string, ReadonlySet<UserId>>;
  /**
   * Imported history: the original author and time on the service it came from (the sender
   * above is who imported it). Undefined for messages written here.
   */
  readonly imported?: ImportOrigin | undefined;
}

/** What changed in the timeline, for the engine to turn into events. */
export type TimelineChange =
  | { readonly type: 'added'; readonly message: TimelineMessage }
  | { readonly type: 'edited'; readonly message: TimelineMessage }
  | { readonly type: 'retracted'; readonly message: TimelineMessage }
  | { readonly type: 'reactions'; readonly message: TimelineMessage }
  /** A message no longer shown (its author turned out to be forked). */
  | { readonly type: 'removed'; readonly messageId: MessageId };
