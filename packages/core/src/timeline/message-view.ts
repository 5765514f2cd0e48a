import type { MessageId } from '../content/message-id.ts';
import type { MimiContent } from '../content/model.ts';
import type { DeviceId, UserId } from '../ids.ts';
import { readOrigin, type ImportOrigin } from '../import/origin.ts';
import type { TimelineEntry } from './entry.ts';
import type { MessageVersion, TimelineChange, TimelineMessage } from './timeline-message.ts';

/** Shared by every message never edited (most of them). */
const NO_EDITS: readonly TimelineEntry[] = [];

/** Shared by every message nobody reacted to (most of them). */
const NO_REACTIONS: ReadonlyMap<string, ReadonlySet<UserId>> = new Map();

/**
 * The reducer's view of one message. Content is decoded when read, not kept: a 100k timeline
 * holds the bytes once (in the Y.Doc), and a UI reads the content of the messages it shows.
 */
export class MessageView implements TimelineMessage {
  readonly messageId: MessageId;
  readonly sender: UserId;
  readonly senderDevice: DeviceId;
  readonly ts: number;
  readonly lamport: number;
  readonly inReplyTo?: MessageId;
  readonly topicId?: Uint8Array;
  readonly edited: boolean;
  readonly retracted: boolean;
  readonly retractedBy?: UserId;
  readonly reactions: ReadonlyMap<string, ReadonlySet<UserId>>;
  /** Each accepted edit, in order (not the original); empty once retracted. */
  readonly #edits: readonly TimelineEntry[];
  readonly #latest: TimelineEntry;
  readonly #original: TimelineEntry;
  #content: MimiContent | undefined;
  /** Read from the original's extensions on first use (null: not imported). */
  #imported: ImportOrigin | null | undefined;

  /** `edits`: the accepted edits in order, without the original (often a shared empty array). */
  constructor(
    original: TimelineEntry,
    edits: readonly TimelineEntry[],
    retraction: TimelineEntry | undefined,
    reactions: ReadonlyMap<string, ReadonlySet<UserId>>,
  ) {
    this.messageId = original.messageId;
    this.sender = original.user;
    this.senderDevice = original.deviceId;
    this.ts = original.ts;
    this.lamport = original.lamport;
    if (original.inReplyTo !== undefined) this.inReplyTo = original.inReplyTo;
    if (original.topicId !== undefined) this.topicId = original.topicId;
    this.retracted = retraction !== undefined;
    if (retraction !== undefined) this.retractedBy = retraction.user;
    this.#edits = retraction === undefined ? edits : NO_EDITS;
    this.edited = this.#edits.length > 0;
    this.#latest = retraction ?? edits.at(-1) ?? original;
    this.#original = original;
    this.reactions = reactions.size === 0 ? NO_REACTIONS : reactions;
  }

  get content(): MimiContent {
    return (this.#content ??= this.#latest.content);
  }

  get imported(): ImportOrigin | undefined {
    this.#imported ??= this.#original.stub ? null : (readOrigin(this.#original.content) ?? null);
    return this.#imported ?? undefined;
  }

  /** The original first, then each accepted edit; empty once retracted. */
  get edits(): readonly MessageVersion[] {
    return this.retracted ? [] : [this.#original, ...this.#edits].map(version);
  }

  /** The entry a view shows: the message's winning copy (the reducer's own bookkeeping). */
  static originalOf(view: MessageView): TimelineEntry {
    return view.#original;
  }

  /** Whether two views of one message show the same version (or the same retraction). */
  static sameVersion(a: MessageView, b: MessageView): boolean {
    return a.#latest === b.#latest && a.#edits.length === b.#edits.length;
  }
}

function version(e: TimelineEntry): MessageVersion {
  return {
    messageId: e.messageId,
    get content() {
      return e.content;
    },
    senderDevice: e.deviceId,
    ts: e.ts,
    lamport: e.lamport,
  };
}

function sameReactions(
  a: ReadonlyMap<string, ReadonlySet<UserId>>,
  b: ReadonlyMap<string, ReadonlySet<UserId>>,
): boolean {
  if (a.size !== b.size) return false;
  for (const [text, users] of a) {
    const other = b.get(text);
    if (other?.size !== users.size) return false;
    for (const u of users) if (!other.has(u)) return false;
  }
  return true;
}

/** The changes between two views of one message. */
export function diffMessage(
  before: MessageView | undefined,
  after: MessageView | undefined,
): TimelineChange[] {
  if (before === undefined) return after === undefined ? [] : [{ type: 'added', message: after }];
  if (after === undefined) return [{ type: 'removed', messageId: before.messageId }];
  if (before.lamport !== after.lamport || before.senderDevice !== after.senderDevice) {
    // Another copy of the same message came first: show it as replaced.
    return [
      { type: 'removed', messageId: before.messageId },
      { type: 'added', message: after },
    ];
  }
  const changes: TimelineChange[] = [];
  if (!MessageView.sameVersion(before, after)) {
    // A retraction, or an earlier one (by someone else) turning up; otherwise an edit.
    const type = after.retracted ? 'retracted' : 'edited';
    changes.push({ type, message: after });
  }
  if (!sameReactions(before.reactions, after.reactions)) {
    changes.push({ type: 'reactions', message: after });
  }
  return changes;
}
