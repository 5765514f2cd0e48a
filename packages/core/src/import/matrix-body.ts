import type { NestedPart } from '../content/model.ts';
import { markdownPart, textPart } from '../content/parts.ts';
import { htmlToMarkdown } from './html-markdown.ts';
import {
  clipUtf8,
  countField,
  field,
  objectField,
  stringField,
  type JsonObject,
} from './json-read.ts';
import { MATRIX_MARKDOWN_FIELD } from './matrix-export.ts';
import type { SkipReason } from './item.ts';
import { ImportLimits } from './limits.ts';

/** Matrix's HTML format name for `formatted_body`. */
const HTML_FORMAT = 'org.matrix.custom.html';
const MAX_HTML_LENGTH = 4 * ImportLimits.maxTextBytes;

export type BodyResult =
  | { readonly ok: true; readonly body: NestedPart; readonly clipped: boolean }
  | { readonly ok: false; readonly reason: SkipReason };

/**
 * The MIMI body of an `m.room.message` content (or of an edit's `m.new_content`):
 * - `m.text`: Markdown converted from `formatted_body` when it is HTML, else plain `body`;
 * - `m.notice`, `m.server_notice`: the same, marked `[notice]`;
 * - `m.emote`: `* <sender> <text>`, as IRC and Matrix clients show it;
 * - `m.file`, `m.image`, `m.audio`, `m.video`: a text fallback with the name, type, size and
 *   `mxc:` URL (media is not imported);
 * - `m.location`: the description and the `geo:` URI;
 * - an unknown msgtype with a `body`: that body as text (the Matrix spec's fallback rule).
 * `inReply` strips the quoted fallback Matrix clients put before a reply's text.
 */
export function matrixBody(content: JsonObject, sender: string, inReply: boolean): BodyResult {
  const msgtype = stringField(content, 'msgtype', ImportLimits.maxIdLength);
  let body = stringField(content, 'body', Number.MAX_SAFE_INTEGER);
  if (msgtype === undefined || body === undefined) return { ok: false, reason: 'malformed' };
  if (msgtype.startsWith('m.key.verification.')) {
    return { ok: false, reason: 'unsupported-msgtype' };
  }
  if (inReply) body = stripReplyFallback(body);
  const media = MEDIA[msgtype];
  if (media !== undefined) return plain(`[${media}] ${mediaText(content, body)}`);
  if (msgtype === 'm.location') {
    const geo = stringField(content, 'geo_uri', 1024);
    return plain(`[location] ${body}${geo === undefined ? '' : ` ${geo}`}`);
  }
  const prefix =
    msgtype === 'm.notice' || msgtype === 'm.server_notice'
      ? '[notice] '
      : msgtype === 'm.emote'
        ? `* ${localpart(sender)} `
        : '';
  const html = stringField(content, 'formatted_body', MAX_HTML_LENGTH);
  if (stringField(content, 'format', 64) === HTML_FORMAT && html !== undefined) {
    const markdown = htmlToMarkdown(html);
    if (markdown !== '') {
      const { text, clipped } = clipUtf8(
        prefix === '' ? markdown : `${escapePrefix(prefix)}${markdown}`,
        ImportLimits.maxTextBytes,
      );
      return { ok: true, body: markdownPart(text), clipped };
    }
  }
  if (prefix === '' && field(content, MATRIX_MARKDOWN_FIELD) === true) {
    // Kith's own Matrix export: the body is Markdown source (exportMatrix).
    const { text, clipped } = clipUtf8(body, ImportLimits.maxTextBytes);
    return { ok: true, body: markdownPart(text), clipped };
  }
  return plain(prefix + body);
}

const MEDIA: Readonly<Record<string, string>> = {
  'm.file': 'file',
  'm.image': 'image',
  'm.audio': 'audio',
  'm.video': 'video',
};

function plain(raw: string): BodyResult {
  const { text, clipped } = clipUtf8(raw, ImportLimits.maxTextBytes);
  return { ok: true, body: textPart(text), clipped };
}

/** `name (type, size) url`, with what the event has of them. */
function mediaText(content: JsonObject, body: string): string {
  const info = objectField(content, 'info');
  const name = stringField(content, 'filename', 1024) ?? body;
  const details = [
    stringField(info, 'mimetype', 255),
    ((n) => (n === undefined ? undefined : `${n} bytes`))(countField(info, 'size')),
  ].filter((x) => x !== undefined);
  const url = stringField(content, 'url', 1024);
  return [name, details.length > 0 ? `(${details.join(', ')})` : '', url ?? '']
    .filter((x) => x !== '')
    .join(' ');
}

/**
 * Matrix replies (before MSC2781) repeat the quoted message as `> <@user> text` lines and an
 * empty line; Kith shows its own quote of the target, so the copy goes.
 */
function stripReplyFallback(body: string): string {
  if (!body.startsWith('> ')) return body;
  const lines = body.split('\n');
  let i = 0;
  while (i < lines.length && lines[i]?.startsWith('>') === true) i++;
  if (lines[i] === '') i++;
  return i < lines.length ? lines.slice(i).join('\n') : body;
}

/** `alice` of `@alice:example.org`. */
function localpart(user: string): string {
  const colon = user.indexOf(':');
  return user.slice(user.startsWith('@') ? 1 : 0, colon === -1 ? undefined : colon);
}

function escapePrefix(prefix: string): string {
  return prefix.replace(/[*[\]\\_]/g, '\\$&');
}
