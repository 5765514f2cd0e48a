import { decodeContent } from '../content/codec.ts';
import { contentMessageId, type MessageId } from '../content/message-id.ts';
import { Disposition, type MimiContent } from '../content/model.ts';
import type { DeviceId, RoomId, UserId } from '../ids.ts';
import { roomUri, userUri } from './uris.ts';

/** What an entry does to the timeline, from its MIMI content alone. */
type EntryKind =
  | 'message'
  /** `replaces` set and a non-null body: a new version of the target. */
  | 'edit'
  /** `replaces` set and a null body: deletes the target (or, for a reaction, unreacts). */
  | 'retraction'
  /** Reaction disposition and `inReplyTo` set. */
  | 'reaction'
  /** Nothing to show: a null body replacing nothing, a reaction to nothing. */
  | 'ignored';

export interface RawEntry {
  readonly authorHex: string;
  readonly deviceId: DeviceId;
  readonly seq: number;
  readonly position: number;
  readonly lamport: number;
  readonly ts: number;
  readonly epoch: bigint;
  readonly contentBytes: Uint8Array;
  /** Already decoded (by the validator); decoded here otherwise. */
  readonly content?: MimiContent | undefined;
  /** Known already (from a snapshot): saves hashing the content again. */
  readonly messageId?: MessageId | undefined;
  /** An entry whose body this device does not hold (purged, or never sent): see `stub`. */
  readonly stub?: boolean;
}

const utf8 = new TextDecoder();

/**
 * A timeline entry as the reducer sees it: attributed, classified, and holding only what the
 * reducer needs. The decoded content is not kept (it is most of the memory of a 100k timeline);
 * `content` decodes it again from the bytes, which the Y.Doc holds anyway.
 */
export class TimelineEntry {
  readonly authorHex: string;
  readonly deviceId: DeviceId;
  readonly user: UserId;
  /** Seq of the signed update that carried it. */
  readonly seq: number;
  /** Index in the author's log. */
  readonly position: number;
  readonly lamport: number;
  readonly ts: number;
  /** Epoch of the carrying update: permissions are checked in it. */
  readonly epoch: bigint;
  readonly contentBytes: Uint8Array;
  readonly messageId: MessageId;
  /** `messageKey(messageId)`: the reducer's map key. */
  readonly idKey: string;
  readonly kind: EntryKind;
  /** Key of the message an edit, retraction or reaction applies to. */
  readonly targetKey: string | undefined;
  readonly inReplyTo: MessageId | undefined;
  /** Undefined for none (the content's empty topic). */
  readonly topicId: Uint8Array | undefined;
  /** The text of a reaction (single-part body); undefined otherwise. */
  readonly reactionText: string | undefined;
  /**
   * No body: a placeholder with only the envelope's message ID, shown only as a retracted
   * message (the reducer hides it otherwise). Content and kind are made up.
   */
  readonly stub: boolean;

  constructor(raw: RawEntry, user: UserId, room: RoomId) {
    const content = raw.content ?? decodeContent(raw.contentBytes);
    this.authorHex = raw.authorHex;
    this.deviceId = raw.deviceId;
    this.user = user;
    this.seq = raw.seq;
    this.position = raw.position;
    this.lamport = raw.lamport;
    this.ts = raw.ts;
    this.epoch = raw.epoch;
    this.contentBytes = raw.contentBytes;
    this.stub = raw.stub === true;
    this.messageId =
      raw.messageId ?? contentMessageId(raw.contentBytes, userUri(user), roomUri(room));
    this.idKey = messageKey(this.messageId);
    const body = content.body;
    let target: MessageId | null = null;
    if (content.replaces !== null) {
      this.kind = body.kind === 'null' ? 'retraction' : 'edit';
      target = content.replaces;
    } else if (body.disposition === Disposition.reaction) {
      this.kind = content.inReplyTo === null ? 'ignored' : 'reaction';
      target = content.inReplyTo;
    } else {
      this.kind = body.kind === 'null' ? 'ignored' : 'message';
    }
    this.targetKey = target === null ? undefined : messageKey(target);
    this.inReplyTo = content.inReplyTo ?? undefined;
    this.topicId = content.topicId.length === 0 ? undefined : content.topicId;
    this.reactionText =
      this.kind === 'reaction' && body.kind === 'single' ? utf8.decode(body.content) : undefined;
  }

  /** The MIMI content, decoded afresh (it was valid when accepted). */
  get content(): MimiContent {
    return decodeContent(this.contentBytes);
  }
}

/**
 * A message ID as a map key: one UTF-16 unit per byte. Flat and half the size of hex (hex built
 * by concatenation stays a rope of 64 pieces in V8, which for 100k messages is most of the heap).
 */
export function messageKey(id: Uint8Array): string {
  // `apply` takes the typed array as it is; a spread walks its iterator (6x slower, 100k IDs).
  return String.fromCharCode.apply(null, id as unknown as number[]);
}

/**
 * The timeline order, the same on every member: lamport, then author device, then position
 * in the author's log (lamports go strictly up per author, so the last never decides).
 */
export function compareEntries(a: TimelineEntry, b: TimelineEntry): number {
  if (a.lamport !== b.lamport) return a.lamport - b.lamport;
  if (a.deviceId !== b.deviceId) return a.deviceId < b.deviceId ? -1 : 1;
  return a.position - b.position;
}
