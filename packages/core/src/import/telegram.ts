import { ExportError } from './errors.ts';
import {
  countSkip,
  type ImportItem,
  type ImportPlan,
  type SkipCounts,
  type SkipReason,
} from './item.ts';
import {
  asObject,
  field,
  objectField,
  stringField,
  wellFormed,
  type JsonObject,
} from './json-read.ts';
import { ImportLimits } from './limits.ts';
import type { ImportOrigin } from './origin.ts';
import { escapeMarkdown } from './html-markdown.ts';
import { mediaLine, runsToBody, serviceText, textRuns } from './telegram-text.ts';

/** One chat of a Telegram export, converted. */
export interface TelegramChat {
  /** The chat's name in the export, when it has one (also `plan.roomName`). */
  readonly name?: string;
  readonly plan: ImportPlan;
}

/**
 * Converts a Telegram Desktop JSON export (`result.json`) into import items, one plan per chat:
 * a single chat's export (`{ name, type, id, messages }`) gives one, a whole account's export
 * (`{ chats: { list: [...] } }`, with `left_chats` too) one per chat that has messages. Both
 * layouts are read: the current one (`text_entities`, `date_unixtime`, `from_id: "user123"`) and
 * the older one (numeric `from_id`, `text` as a string or an array, `date` only).
 *
 * Messages keep their order in the export; a reply goes through a table from message ID to
 * item index. What cannot be carried over is counted by reason; bad input inside a chat never
 * throws. A value that is neither layout is refused with `EXPORT_NOT_TELEGRAM`.
 */
export function telegramToMimi(input: unknown): TelegramChat[] {
  const top = asObject(input);
  const chats = chatList(top);
  if (chats === undefined) {
    throw new ExportError('EXPORT_NOT_TELEGRAM', 0, 'not a Telegram Desktop JSON export');
  }
  let budget = ImportLimits.maxEvents;
  const out: TelegramChat[] = [];
  for (const c of chats) {
    const chat = asObject(c);
    const messages = field(chat, 'messages');
    if (chat === undefined || !Array.isArray(messages)) continue;
    const converter = new Converter(chatIdOf(field(chat, 'id')));
    const n = Math.min(messages.length, budget);
    for (let i = 0; i < n; i++) converter.add(messages[i]);
    if (messages.length > n) countSkip(converter.skipped, 'limit', messages.length - n);
    budget -= n;
    const name = stringField(chat, 'name', ImportLimits.maxIdLength);
    const roomName = name === undefined || name === '' ? undefined : wellFormed(name);
    out.push({
      ...(roomName === undefined ? {} : { name: roomName }),
      plan: {
        items: converter.items,
        skipped: converter.skipped,
        truncated: converter.truncated,
        ...(roomName === undefined ? {} : { roomName }),
      },
    });
  }
  return out;
}

/** A chat's numeric ID as text (part of the fallback sender of messages without `from_id`). */
function chatIdOf(id: unknown): string {
  return typeof id === 'number' && Number.isSafeInteger(id) ? String(id) : '';
}

/** The chats of a one-chat or whole-account export; undefined when it is neither. */
function chatList(top: JsonObject | undefined): readonly unknown[] | undefined {
  if (Array.isArray(field(top, 'messages')) && field(top, 'type') !== undefined) return [top];
  const list = field(objectField(top, 'chats'), 'list');
  if (!Array.isArray(list)) return undefined;
  const left = field(objectField(top, 'left_chats'), 'list');
  const chats: readonly unknown[] = list;
  return Array.isArray(left) ? [...chats, ...(left as readonly unknown[])] : chats;
}

class Converter {
  readonly items: ImportItem[] = [];
  readonly skipped: SkipCounts = {};
  truncated = 0;
  readonly #chatId: string;
  /** Item index of each imported message, by Telegram message ID. */
  readonly #byId = new Map<number, number>();
  readonly #seen = new Set<number>();

  constructor(chatId: string) {
    this.#chatId = chatId;
  }

  add(value: unknown): void {
    const m = asObject(value);
    const id = field(m, 'id');
    const ts = m === undefined ? undefined : timeOf(m);
    if (
      m === undefined ||
      typeof id !== 'number' ||
      !Number.isSafeInteger(id) ||
      ts === undefined
    ) {
      this.#skip('malformed');
      return;
    }
    if (this.#seen.has(id)) {
      this.#skip('duplicate');
      return;
    }
    this.#seen.add(id);
    const result = this.#convert(m, ts);
    if (typeof result === 'string') {
      this.#skip(result);
      return;
    }
    this.#byId.set(id, this.items.length);
    const index = this.items.length;
    this.items.push(result);
    this.#reactions(m, index, result.origin);
  }

  #convert(m: JsonObject, ts: number): ImportItem | SkipReason {
    const type = stringField(m, 'type', 64);
    if (type === 'service') {
      const text = serviceText(m);
      if (text === undefined) return 'service';
      const origin = this.#origin(m, 'actor', ts);
      return { kind: 'message', body: runsToBody([{ type: 'plain', text }], '').body, origin };
    }
    if (type !== 'message') return type === undefined ? 'malformed' : 'unsupported-type';
    const runs = textRuns(m);
    if (runs === undefined) return 'malformed';
    const prefix = [forwardLine(m), mediaLine(m)]
      .filter((x) => x !== '')
      .map((line, i) => (i === 0 && line.startsWith('↪') ? line : escapeMarkdown(line)))
      .join('\n');
    if (runs.every((r) => r.text.trim() === '') && prefix === '') return 'unsupported-type';
    const { body, clipped } = runsToBody(runs, prefix === '' ? '' : `${prefix}\n\n`);
    if (clipped) this.truncated++;
    const replyId = field(m, 'reply_to_message_id');
    const replyTo = typeof replyId === 'number' ? this.#byId.get(replyId) : undefined;
    return {
      kind: 'message',
      body,
      origin: this.#origin(m, 'from', ts),
      ...(replyTo === undefined ? {} : { replyTo }),
    };
  }

  /** Reactions (exports since 2022): one item per emoji, from its first recent reactor. */
  #reactions(m: JsonObject, target: number, origin: ImportOrigin): void {
    const list = field(m, 'reactions');
    if (!Array.isArray(list)) return;
    const done = new Set<string>();
    for (const r of list as readonly unknown[]) {
      const o = asObject(r);
      const emoji = stringField(o, 'emoji', 64);
      if (emoji === undefined || emoji === '') {
        // Custom emoji and paid stars have no text to show.
        this.#skip(o === undefined ? 'malformed' : 'unsupported-type');
        continue;
      }
      const text = wellFormed(emoji);
      if (done.has(text)) {
        this.#skip('duplicate-reaction');
        continue;
      }
      done.add(text);
      const recent = asObject((field(o, 'recent') as unknown[] | undefined)?.[0]);
      const by = recent === undefined ? origin : this.#origin(recent, 'from', origin.ts);
      this.items.push({ kind: 'reaction', target, text, origin: by });
    }
  }

  /** The author: `telegram:user123` from `from_id` (either layout), with `from` as the name. */
  #origin(m: JsonObject, nameKey: 'from' | 'actor', ts: number): ImportOrigin {
    const rawId = field(m, `${nameKey}_id`);
    const name = stringField(m, nameKey, ImportLimits.maxNameLength);
    let sender: string;
    if (typeof rawId === 'number' && Number.isSafeInteger(rawId)) sender = `telegram:user${rawId}`;
    else if (typeof rawId === 'string' && /^[a-z]{1,16}-?\d{1,20}$/.test(rawId)) {
      sender = `telegram:${rawId}`;
    } else sender = `telegram:chat${this.#chatId.slice(0, 24)}`;
    return name === undefined || name === ''
      ? { sender, ts }
      : { sender, ts, name: wellFormed(name) };
  }

  #skip(reason: SkipReason): void {
    countSkip(this.skipped, reason);
  }
}

/** `↪ Forwarded from **Name**` for a forwarded message (the name may be hidden: null). */
function forwardLine(m: JsonObject): string {
  if (!Object.hasOwn(m, 'forwarded_from')) return '';
  const from = stringField(m, 'forwarded_from', ImportLimits.maxNameLength);
  return from === undefined || from === ''
    ? '↪ Forwarded'
    : `↪ Forwarded from **${escapeMarkdown(wellFormed(from))}**`;
}

const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/;

/**
 * Milliseconds since the epoch: `date_unixtime` (seconds, as a string) when present, else
 * `date`, which older exports write in the exporter's local time with no zone: read as UTC.
 */
function timeOf(m: JsonObject): number | undefined {
  const unix = stringField(m, 'date_unixtime', 16);
  if (unix !== undefined) return /^\d{1,12}$/.test(unix) ? Number(unix) * 1000 : undefined;
  const d = LOCAL_DATE.exec(stringField(m, 'date', 32) ?? '');
  if (d === null) return undefined;
  const [y, mo, day, h, mi, s] = d.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const ms = Date.UTC(y, mo - 1, day, h, mi, s);
  return Number.isSafeInteger(ms) && ms >= 0 ? ms : undefined;
}
