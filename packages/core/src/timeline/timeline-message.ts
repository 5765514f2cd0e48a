import type { MessageId } from '../content/message-id.ts';
import type { MimiContent } from '../content/model.ts';
import type { DeviceId, UserId } from '../ids.ts';
import type { ImportOrigin } from '../import/origin.ts';

/** One version of a message: the original, or an edit. */
export interface MessageVersion {
  readonly messageId: MessageId;
  readonly content: MimiContent;
  readonly senderDevice: DeviceId;
  readonly ts: number;
  readonly lamport: number;
}

/** A message as the user sees it, with its edits, retraction and reactions folded in. */
export interface TimelineMessage {
  /** The ID of the first version; edits and reactions refer to it. */
  readonly messageId: MessageId;
  readonly sender: UserId;
  readonly senderDevice: DeviceId;
  /** The sender's clock when it was sent (display only). */
  readonly ts: number;
  readonly lamport: number;
  /** The latest version; a null body once retracted. */
  readonly content: MimiContent;
  readonly inReplyTo?: MessageId;
  readonly topicId?: Uint8Array;
  /** Every version, oldest first (the original first). Empty once retracted. */
  readonly edits: readonly MessageVersion[];
  readonly edited: boolean;
  readonly retracted: boolean;
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
