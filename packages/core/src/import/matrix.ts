import { labeledHash } from '../crypto/hash.ts';
import { encodeUtf8 } from '../content/text.ts';
import {
  countSkip,
  type ImportItem,
  type ImportPlan,
  type SkipCounts,
  type SkipReason,
} from './item.ts';
import {
  asObject,
  countField,
  field,
  objectField,
  stringField,
  wellFormed,
  type JsonObject,
} from './json-read.ts';
import { ImportLimits } from './limits.ts';
import { matrixBody } from './matrix-body.ts';
import type { ImportOrigin } from './origin.ts';

const ID = ImportLimits.maxIdLength;

/** What an imported event became: its item's index, and what a later event needs of it. */
interface Seen {
  readonly index: number;
  readonly kind: ImportItem['kind'];
  readonly sender: string;
}

/**
 * Converts Matrix room events (full client-format events, as `/messages` or a client's export
 * gives them) into import items, in `origin_server_ts` order (stable, so an export already in
 * timeline order keeps it). Accepts a plain array of events, Element's JSON export
 * (`{ room_name, messages: [...] }`) or a `/messages` response (`{ chunk: [...] }`).
 *
 * References (replies, edits, reactions, redactions, threads) go through a table from event ID
 * to item index; an event whose target was not imported is skipped. What cannot be carried over
 * is skipped and counted by reason. It never throws on bad input.
 */
export function matrixToMimi(input: unknown): ImportPlan {
  const skipped: SkipCounts = {};
  const top = asObject(input);
  const list = Array.isArray(input)
    ? input
    : (arrayField(top, 'messages') ?? arrayField(top, 'chunk'));
  if (list === undefined) return { items: [], skipped: { malformed: 1 }, truncated: 0 };
  const n = Math.min(list.length, ImportLimits.maxEvents);
  if (list.length > n) countSkip(skipped, 'limit', list.length - n);

  const events: { e: JsonObject; ts: number; order: number }[] = [];
  for (let i = 0; i < n; i++) {
    const e = asObject(list[i]);
    const ts = countField(e, 'origin_server_ts');
    if (e === undefined || ts === undefined) countSkip(skipped, 'malformed');
    else events.push({ e, ts, order: i });
  }
  events.sort((a, b) => a.ts - b.ts || a.order - b.order);

  const converter = new Converter(skipped);
  for (const { e, ts } of events) converter.add(e, ts);
  const roomName = stringField(top, 'room_name', ID) ?? converter.roomName;
  return {
    items: converter.items,
    skipped,
    truncated: converter.truncated,
    ...(roomName === undefined || roomName === '' ? {} : { roomName: wellFormed(roomName) }),
  };
}

function arrayField(o: JsonObject | undefined, key: string): readonly unknown[] | undefined {
  const v = field(o, key);
  return Array.isArray(v) ? v : undefined;
}

class Converter {
  readonly items: ImportItem[] = [];
  truncated = 0;
  roomName: string | undefined;
  readonly #skipped: SkipCounts;
  readonly #byEventId = new Map<string, Seen>();
  /** Display names from membership events, by Matrix user ID. */
  readonly #names = new Map<string, string>();
  /** `target index` + NUL + key of each imported reaction. */
  readonly #reactions = new Set<string>();

  constructor(skipped: SkipCounts) {
    this.#skipped = skipped;
  }

  add(e: JsonObject, ts: number): void {
    const type = stringField(e, 'type', ID);
    const eventId = stringField(e, 'event_id', ID);
    const sender = stringField(e, 'sender', ID);
    const content = objectField(e, 'content');
    if (
      type === undefined ||
      eventId === undefined ||
      sender === undefined ||
      content === undefined
    ) {
      this.#skip('malformed');
      return;
    }
    if (this.#byEventId.has(eventId)) {
      this.#skip('duplicate');
      return;
    }
    if (field(objectField(e, 'unsigned'), 'redacted_because') !== undefined) {
      this.#skip('redacted');
      return;
    }
    if (field(e, 'state_key') !== undefined) {
      this.#state(type, e, content);
      this.#skip('state');
      return;
    }
    const origin = this.#origin(sender, ts);
    const result = this.#convert(type, sender, content, origin, e);
    if (typeof result === 'string') this.#skip(result);
    else {
      this.#byEventId.set(eventId, { index: this.items.length, kind: result.kind, sender });
      this.items.push(result);
    }
  }

  #convert(
    type: string,
    sender: string,
    content: JsonObject,
    origin: ImportOrigin,
    e: JsonObject,
  ): ImportItem | SkipReason {
    switch (type) {
      case 'm.room.message':
        return this.#message(sender, content, origin);
      case 'm.reaction':
        return this.#reaction(content, origin);
      case 'm.room.redaction':
        return this.#redaction(
          stringField(content, 'redacts', ID) ?? stringField(e, 'redacts', ID),
          origin,
        );
      case 'm.room.encrypted':
        return 'encrypted';
      default:
        return 'unsupported-type';
    }
  }

  #message(sender: string, content: JsonObject, origin: ImportOrigin): ImportItem | SkipReason {
    const relates = objectField(content, 'm.relates_to');
    const relType = stringField(relates, 'rel_type', ID);
    if (relType === 'm.replace') {
      const target = this.#target(stringField(relates, 'event_id', ID));
      if (target?.kind !== 'message') return 'unknown-target';
      if (target.sender !== sender) return 'foreign-edit';
      const newContent = objectField(content, 'm.new_content');
      if (newContent === undefined) return 'malformed';
      const body = this.#body(newContent, sender, false);
      return typeof body === 'string' ? body : { kind: 'edit', target: target.index, body, origin };
    }
    const replyId = stringField(objectField(relates, 'm.in_reply_to'), 'event_id', ID);
    const reply = this.#target(replyId);
    const body = this.#body(content, sender, replyId !== undefined);
    if (typeof body === 'string') return body;
    const thread =
      relType === 'm.thread' ? this.#thread(stringField(relates, 'event_id', ID)) : undefined;
    // In a thread, `m.in_reply_to` is only the fallback for clients without threads, unless
    // `is_falling_back` is false: then it is a real reply within the thread.
    const fallback = thread !== undefined && field(relates, 'is_falling_back') !== false;
    return {
      kind: 'message',
      body,
      origin,
      ...(reply?.kind === 'message' && !fallback ? { replyTo: reply.index } : {}),
      ...(thread === undefined ? {} : { thread }),
    };
  }

  #reaction(content: JsonObject, origin: ImportOrigin): ImportItem | SkipReason {
    const relates = objectField(content, 'm.relates_to');
    const key = stringField(relates, 'key', 64);
    if (
      stringField(relates, 'rel_type', ID) !== 'm.annotation' ||
      key === undefined ||
      key === ''
    ) {
      return 'malformed';
    }
    const target = this.#target(stringField(relates, 'event_id', ID));
    if (target?.kind !== 'message') return 'unknown-target';
    const text = wellFormed(key);
    const dedupe = `${target.index}\u0000${text}`;
    if (this.#reactions.has(dedupe)) return 'duplicate-reaction';
    this.#reactions.add(dedupe);
    return { kind: 'reaction', target: target.index, text, origin };
  }

  /** `redacts`: in the content since room version 11, at the event's top level before. */
  #redaction(redacts: string | undefined, origin: ImportOrigin): ImportItem | SkipReason {
    const target = this.#target(redacts);
    if (target === undefined) return 'unknown-target';
    if (target.kind === 'edit') return 'redacts-edit';
    if (target.kind !== 'message' && target.kind !== 'reaction') return 'unknown-target';
    if (target.kind === 'reaction') {
      const item = this.items[target.index];
      // The same reaction may be given again after it is taken back.
      if (item?.kind === 'reaction') this.#reactions.delete(`${item.target}\u0000${item.text}`);
    }
    return { kind: 'retraction', target: target.index, origin };
  }

  #body(content: JsonObject, sender: string, inReply: boolean) {
    const result = matrixBody(content, sender, inReply);
    if (!result.ok) return result.reason;
    if (result.clipped) this.truncated++;
    return result.body;
  }

  /** The thread root's index when it was imported, else a topic ID derived from its event ID. */
  #thread(rootId: string | undefined): number | Uint8Array | undefined {
    if (rootId === undefined) return undefined;
    const root = this.#byEventId.get(rootId);
    if (root?.kind === 'message') return root.index;
    return labeledHash('kith import matrix thread', encodeUtf8(wellFormed(rootId), 'thread'));
  }

  #target(eventId: string | undefined): Seen | undefined {
    return eventId === undefined ? undefined : this.#byEventId.get(eventId);
  }

  #state(type: string, e: JsonObject, content: JsonObject): void {
    if (type === 'm.room.member') {
      const user = stringField(e, 'state_key', ID);
      const name = stringField(content, 'displayname', ImportLimits.maxNameLength);
      if (user !== undefined && name !== undefined && name !== '')
        this.#names.set(user, wellFormed(name));
    } else if (type === 'm.room.name') {
      const name = stringField(content, 'name', ID);
      if (name !== undefined) this.roomName = name;
    }
  }

  #origin(sender: string, ts: number): ImportOrigin {
    const name = this.#names.get(sender);
    const user = wellFormed(sender);
    return name === undefined ? { sender: user, ts } : { sender: user, ts, name };
  }

  #skip(reason: SkipReason): void {
    countSkip(this.#skipped, reason);
  }
}
