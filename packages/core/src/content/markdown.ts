/**
 * GFM-MIMI helpers (draft-ietf-mimi-content, "Specifics of Github Flavored Markdown in MIMI",
 * "Mentions" and "Link and Mention handling"): the mandatory "No HTML" rule, and writing and
 * finding mentions.
 *
 * Both need to know where Markdown puts raw HTML and links, so they rest on a small CommonMark/GFM
 * structure scanner (markdown-blocks.ts, markdown-inline.ts, markdown-html.ts). It builds no tree
 * and renders nothing; it tracks block quotes, list items, fenced and indented code, headings,
 * thematic breaks, setext underlines, tables and lazy continuation lines, then backslash escapes,
 * code spans, autolinks and links inline.
 * Known gaps:
 * - Link reference definitions and reference links are not resolved; entities are not decoded.
 * - HTML blocks are not blocks here: escapeHtmlTags escapes the `<` that opens one, after which
 *   the block is ordinary text (and a multi-line code span may then show that `&lt;`).
 * - Block quotes and list items nest at most MAX_NESTING (markdown-blocks.ts) deep.
 */
import { ContentError } from './errors.ts';
import { DEL, SPACE } from './markdown-chars.ts';
import { layout } from './markdown-blocks.ts';
import { joinRun, scanInline } from './markdown-inline.ts';

// ---------------------------------------------------------------------------------------------
// No HTML

/**
 * Applies GFM-MIMI's mandatory "No HTML" extension: the `<` of every HTML tag (GFM §6.10: open
 * and closing tags, comments, processing instructions, declarations, CDATA sections) becomes
 * `&lt;`. Code spans, fenced and indented code, autolinks, link destinations and backslash-escaped
 * `<` are left alone. The `<` that opens an HTML block without being a complete tag (an
 * unterminated `<!--`, `<div` ending a line) is escaped too: GFM would pass that block through.
 *
 * Which `<` to escape is decided in one pass over the original text, and the result is
 * idempotent: every scanner here is chosen so that escaping a `<` never changes a decision made
 * for another position (see isUnquotedValueChar and looseAutolink in markdown-html.ts, and
 * linkTail in markdown-inline.ts). Escaping a `<` that turns out not to need it is harmless
 * outside code.
 */
export function escapeHtmlTags(markdown: string): string {
  const { runs, htmlBlockStarts } = layout(markdown);
  const blockStarts = new Set(htmlBlockStarts);
  const positions = [...htmlBlockStarts];
  for (const run of runs) {
    const { value, origin } = joinRun(markdown, run);
    const { escapes } = scanInline(value, true, (i) => blockStarts.has(origin(i)));
    for (const i of escapes) positions.push(origin(i));
  }
  if (positions.length === 0) return markdown;

  positions.sort((a, b) => a - b);
  const parts: string[] = [];
  let copied = 0;
  for (const position of positions) {
    if (position < copied) continue;
    parts.push(markdown.slice(copied, position), '&lt;');
    copied = position + 1;
  }
  parts.push(markdown.slice(copied));
  return parts.join('');
}

// ---------------------------------------------------------------------------------------------
// Mentions

/** A mention: an inline link whose text starts with `@`. */
export interface Mention {
  /** The link text without its leading `@`, backslash escapes removed. */
  readonly displayName: string;
  /** The link destination as written, without `<...>` and with backslash escapes removed. */
  readonly uri: string;
}

const URI_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
// Text that a Markdown parser would read as an entity or numeric character reference.
const CHARACTER_REFERENCE = /&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{0,31});/y;
const LINK_TEXT_SPECIALS = new Set('\\[]*_`<>~|');
const DESTINATION_SPECIALS = new Set('()<>\\`|');

const isControl = (c: number): boolean => c < SPACE || c === DEL;

function startsCharacterReference(text: string, i: number): boolean {
  CHARACTER_REFERENCE.lastIndex = i;
  return CHARACTER_REFERENCE.test(text);
}

/**
 * The Markdown for a mention, as in the draft: `mention('Alice Smith', 'mimi://example.com/u/
 * alice-smith')` is `[@Alice Smith](mimi://example.com/u/alice-smith)`. Markdown syntax in the
 * name is backslash-escaped and control characters (line breaks included) become spaces, so the
 * name cannot end the link or start another. In the URI, spaces, control characters and
 * `( ) < > \ ` |` are percent-encoded. Place the result after a space, not straight after `!`
 * (which would make it an image) or `\`.
 *
 * @throws ContentError (CONTENT_INVALID_URI) when `uri` does not start with a URI scheme.
 */
export function mention(displayName: string, uri: string): string {
  if (!URI_SCHEME.test(uri)) {
    const shown = uri.length > 80 ? `${uri.slice(0, 80)}…` : uri;
    throw new ContentError(
      'CONTENT_INVALID_URI',
      'uri',
      `a mention URI starts with a scheme such as "mimi:", got ${JSON.stringify(shown)}`,
    );
  }
  const name = displayName.startsWith('@') ? displayName.slice(1) : displayName;
  return `[@${escapeLinkText(name)}](${encodeDestination(uri)})`;
}

function escapeLinkText(name: string): string {
  let out = '';
  for (let i = 0; i < name.length; i++) {
    const char = name.charAt(i);
    const c = name.charCodeAt(i);
    if (isControl(c)) out += ' ';
    else if (LINK_TEXT_SPECIALS.has(char) || (char === '&' && startsCharacterReference(name, i))) {
      out += `\\${char}`;
    } else out += char;
  }
  return out;
}

function encodeDestination(uri: string): string {
  let out = '';
  for (let i = 0; i < uri.length; i++) {
    const char = uri.charAt(i);
    const c = uri.charCodeAt(i);
    if (c <= SPACE || c === DEL || DESTINATION_SPECIALS.has(char)) {
      out += `%${c.toString(16).toUpperCase().padStart(2, '0')}`;
    } else if (char === '&' && startsCharacterReference(uri, i)) {
      out += '\\&'; // Backslash-escaped so it is not read as an entity; findMentions undoes it.
    } else out += char;
  }
  return out;
}

/**
 * Finds mentions: inline links whose text starts with `@`, in document order, outside code.
 * Links inside an image description are not mentions. Follows CommonMark's bracket rules (no
 * links inside links, code spans and autolinks bind tighter than brackets).
 */
export function findMentions(markdown: string): Mention[] {
  const mentions: Mention[] = [];
  for (const run of layout(markdown).runs) {
    for (const link of scanInline(joinRun(markdown, run).value, false).links) {
      const label = unescape(link.label);
      if (label.startsWith('@')) {
        mentions.push({ displayName: label.slice(1), uri: unescape(link.destination) });
      }
    }
  }
  return mentions;
}

/** Removes backslash escapes (a backslash before ASCII punctuation). */
function unescape(text: string): string {
  return text.replace(/\\([!-/:-@[-`{-~])/g, '$1');
}
