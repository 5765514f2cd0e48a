import type { NestedPart } from '../content/model.ts';
import { markdownPart, textPart } from '../content/parts.ts';
import { escapeMarkdown } from './html-markdown.ts';
import {
  asObject,
  clipUtf8,
  countField,
  field,
  objectField,
  stringField,
  type JsonObject,
} from './json-read.ts';
import { ImportLimits } from './limits.ts';

/** One run of a Telegram message's text: `{ type, text, href?, language? }`, or a bare string. */
interface Run {
  readonly type: string;
  readonly text: string;
  readonly href?: string;
  readonly language?: string;
}

const MAX_RUN = 4 * ImportLimits.maxTextBytes;

/** Markdown markers of the inline entities that have one; the rest stay plain text. */
const INLINE: Readonly<Record<string, string>> = {
  bold: '**',
  italic: '_',
  strikethrough: '~~',
};

/**
 * The runs of a message's text: `text_entities` (current layout) or `text`, which is a string
 * or an array of strings and entity objects (older layout). Undefined when neither is readable.
 */
export function textRuns(m: JsonObject): Run[] | undefined {
  const entities = field(m, 'text_entities');
  const raw = Array.isArray(entities) ? entities : field(m, 'text');
  if (typeof raw === 'string') return raw === '' ? [] : [{ type: 'plain', text: raw }];
  if (!Array.isArray(raw)) return undefined;
  const runs: Run[] = [];
  let length = 0;
  for (const r of raw as readonly unknown[]) {
    const run = readRun(r);
    if (run === undefined) return undefined;
    // A text far past the limit is cut anyway: keep no more than can be shown.
    const room = MAX_RUN - length;
    runs.push(run.text.length > room ? { ...run, text: run.text.slice(0, room) } : run);
    length += run.text.length;
    if (length >= MAX_RUN) break;
  }
  return runs;
}

function readRun(r: unknown): Run | undefined {
  if (typeof r === 'string') return { type: 'plain', text: r };
  const o = asObject(r);
  const type = stringField(o, 'type', 64);
  const text = stringField(o, 'text', Number.MAX_SAFE_INTEGER);
  if (type === undefined || text === undefined) return undefined;
  const href = stringField(o, 'href', 2048);
  const language = stringField(o, 'language', 64);
  return {
    type,
    text,
    ...(href === undefined ? {} : { href }),
    ...(language === undefined ? {} : { language }),
  };
}

/**
 * The runs as a MIMI body: plain text when nothing is formatted, else GFM-MIMI Markdown
 * (bold, italic, strikethrough, code, pre, links, block quotes; underline and spoilers have no
 * Markdown and stay plain). `prefix` is Markdown put before the text (forward and media lines).
 */
export function runsToBody(
  runs: readonly Run[],
  prefix: string,
): { body: NestedPart; clipped: boolean } {
  const plainOnly = prefix === '' && runs.every((r) => !isFormatted(r));
  const text = plainOnly
    ? runs.map((r) => r.text).join('')
    : prefix + runs.map(runMarkdown).join('');
  const { text: clippedText, clipped } = clipUtf8(text.trim(), ImportLimits.maxTextBytes);
  return { body: plainOnly ? textPart(clippedText) : markdownPart(clippedText), clipped };
}

function isFormatted(r: Run): boolean {
  return r.type in INLINE || ['code', 'pre', 'text_link', 'blockquote'].includes(r.type);
}

function runMarkdown(r: Run): string {
  if (r.text === '') return '';
  const mark = INLINE[r.type];
  if (mark !== undefined) return wrap(r.text, mark);
  switch (r.type) {
    case 'code':
      return r.text.includes('`') ? `\`\` ${r.text} \`\`` : `\`${r.text}\``;
    case 'pre':
      return `\n\`\`\`${(r.language ?? '').replace(/[^\w+-]/g, '')}\n${r.text.replace(/```/g, '`\u200b``')}\n\`\`\`\n`;
    case 'text_link': {
      const href = r.href !== undefined && /^(https?|mailto|tg):/i.test(r.href) ? r.href : '';
      const label = escapeMarkdown(r.text);
      return href === '' ? label : `[${label}](${href.replace(/[()\s<>]/g, percent)})`;
    }
    case 'blockquote':
      return `\n> ${escapeMarkdown(r.text).replace(/\n/g, '\n> ')}\n\n`;
    default:
      return escapeMarkdown(r.text);
  }
}

function percent(c: string): string {
  return `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;
}

/** `**x**` around the text, with its edge spaces outside (`** x**` is not bold in Markdown). */
function wrap(text: string, mark: string): string {
  const m = /^(\s*)([\s\S]*?)(\s*)$/.exec(text);
  const inner = m?.[2] ?? '';
  if (inner === '') return text;
  return `${m?.[1] ?? ''}${mark}${escapeMarkdown(inner)}${mark}${m?.[3] ?? ''}`;
}

const MEDIA_TYPES: Readonly<Record<string, string>> = {
  voice_message: 'voice message',
  video_message: 'video message',
  video_file: 'video',
  audio_file: 'audio',
  animation: 'animation',
  sticker: 'sticker',
};

/**
 * A text line for what a message carries besides text (media is not imported): the kind, the
 * file name or path in the export folder, and what else the export says of it. Empty if none.
 */
export function mediaLine(m: JsonObject): string {
  const photo = stringField(m, 'photo', 1024);
  if (photo !== undefined) return `[photo] ${photo}`;
  const file = stringField(m, 'file', 1024);
  if (file !== undefined) {
    const kind = MEDIA_TYPES[stringField(m, 'media_type', 64) ?? ''] ?? 'file';
    const name = stringField(m, 'file_name', 1024) ?? file;
    const emoji = stringField(m, 'sticker_emoji', 64);
    const seconds = countField(m, 'duration_seconds');
    const details = [
      stringField(m, 'mime_type', 255),
      seconds === undefined ? undefined : `${seconds} s`,
    ].filter((x) => x !== undefined);
    return [
      `[${kind}${emoji === undefined ? '' : ` ${emoji}`}]`,
      name,
      details.length > 0 ? `(${details.join(', ')})` : '',
    ]
      .filter((x) => x !== '')
      .join(' ');
  }
  const location = objectField(m, 'location_information');
  if (location !== undefined) {
    const lat = field(location, 'latitude');
    const long = field(location, 'longitude');
    if (typeof lat === 'number' && typeof long === 'number') return `[location] ${lat}, ${long}`;
  }
  const contact = objectField(m, 'contact_information');
  if (contact !== undefined) {
    const parts = ['first_name', 'last_name', 'phone_number']
      .map((k) => stringField(contact, k, 255))
      .filter((x) => x !== undefined && x !== '');
    return `[contact] ${parts.join(' ')}`;
  }
  const poll = objectField(m, 'poll');
  if (poll !== undefined) return `[poll] ${stringField(poll, 'question', 1024) ?? ''}`;
  return '';
}

/** What a service action shows as text; undefined for actions skipped as `service`. */
const SERVICE_TEXT: Readonly<Record<string, (m: JsonObject) => string>> = {
  phone_call: (m) => `made a call${duration(m)}`,
  group_call: (m) => `started a group call${duration(m)}`,
  pin_message: () => 'pinned a message',
  create_group: (m) => `created the group “${stringField(m, 'title', 255) ?? ''}”`,
  create_channel: (m) => `created the channel “${stringField(m, 'title', 255) ?? ''}”`,
  edit_group_title: (m) => `changed the title to “${stringField(m, 'title', 255) ?? ''}”`,
};

function duration(m: JsonObject): string {
  const s = countField(m, 'duration_seconds') ?? countField(m, 'duration');
  return s === undefined ? '' : ` (${s} s)`;
}

/** `[service] <actor> <what happened>` for the actions worth a line; undefined otherwise. */
export function serviceText(m: JsonObject): string | undefined {
  const action = stringField(m, 'action', 64);
  const text = action === undefined ? undefined : SERVICE_TEXT[action];
  if (text === undefined) return undefined;
  const actor = stringField(m, 'actor', ImportLimits.maxNameLength) ?? 'someone';
  return clipUtf8(`[service] ${actor} ${text(m)}`, ImportLimits.maxTextBytes).text;
}
