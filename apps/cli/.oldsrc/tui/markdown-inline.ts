import { userOfMentionUri, type UserId } from '@kith/core';
import { sanitize, seg, type Segment } from './text.ts';

/** How mentions show: by the name this device knows, highlighted when they are of this user. */
export interface InlineOptions {
  /** This user: mentions of them stand out. */
  readonly me?: string;
  /** The name to show for a mentioned user (the link's own text is the sender's choice). */
  readonly nameOf?: (user: UserId) => string | undefined;
}

const InlineStyle = {
  bold: '1',
  italic: '3',
  strike: '9',
  code: '36',
  link: '4',
  url: '2',
  mention: '1;33',
  mentionMe: '1;30;43',
  image: '2',
} as const;

const PUNCTUATION = /[!-/:-@[-`{-~]/;
const ENTITIES: Readonly<Record<string, string>> = {
  lt: '<',
  gt: '>',
  amp: '&',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
};
const ENTITY = /^&(?:#(\d{1,7})|#[xX]([0-9A-Fa-f]{1,6})|([A-Za-z][A-Za-z0-9]{0,31}));/;
const AUTOLINK = /^<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*|[^\s<>@]+@[^\s<>@]+)>/;
const MAX_DEPTH = 6;

/** Two SGR parameter lists as one. */
export function join(a: string, b: string): string {
  return a === '' ? b : b === '' ? a : `${a};${b}`;
}

/** One line of Markdown inline content as styled runs, each on top of `base`. */
export function inlineSegments(text: string, base: string, options: InlineOptions): Segment[] {
  const out: Segment[] = [];
  inline(text, base, options, out, 0);
  return merge(out);
}

function inline(text: string, style: string, o: InlineOptions, out: Segment[], depth: number) {
  let plain = '';
  const flush = (): void => {
    if (plain !== '') out.push(seg(sanitize(plain), style));
    plain = '';
  };
  let i = 0;
  while (i < text.length) {
    const c = text.charAt(i);
    if (c === '\\' && PUNCTUATION.test(text.charAt(i + 1))) {
      plain += text.charAt(i + 1);
      i += 2;
      continue;
    }
    if (c === '`') {
      const span = codeSpan(text, i);
      if (span === undefined) {
        const run = runOf(text, i);
        plain += text.slice(i, i + run);
        i += run;
        continue;
      }
      flush();
      out.push(seg(sanitize(span.code), join(style, InlineStyle.code)));
      i = span.end;
      continue;
    }
    if ((c === '[' || (c === '!' && text.charAt(i + 1) === '[')) && depth < MAX_DEPTH) {
      const link = linkAt(text, c === '!' ? i + 1 : i);
      if (link !== undefined) {
        flush();
        if (c === '!')
          out.push(seg(`[image: ${sanitize(link.label)}]`, join(style, InlineStyle.image)));
        else showLink(link, style, o, out, depth);
        i = link.end;
        continue;
      }
    }
    if (c === '<') {
      const auto = AUTOLINK.exec(text.slice(i));
      if (auto !== null) {
        flush();
        out.push(seg(sanitize(auto[1] ?? ''), join(style, InlineStyle.link)));
        i += auto[0].length;
        continue;
      }
    }
    if (c === '&') {
      const entity = ENTITY.exec(text.slice(i));
      const decoded = entity === null ? undefined : decodeEntity(entity);
      if (entity !== null && decoded !== undefined) {
        plain += decoded;
        i += entity[0].length;
        continue;
      }
    }
    if ((c === '*' || c === '_' || c === '~') && depth < MAX_DEPTH) {
      const emphasis = emphasisAt(text, i);
      if (emphasis !== undefined) {
        flush();
        inline(
          text.slice(emphasis.from, emphasis.to),
          join(style, emphasis.style),
          o,
          out,
          depth + 1,
        );
        i = emphasis.end;
        continue;
      }
      const run = runOf(text, i);
      plain += text.slice(i, i + run);
      i += run;
      continue;
    }
    plain += c;
    i++;
  }
  flush();
}

function showLink(
  link: { label: string; destination: string },
  style: string,
  o: InlineOptions,
  out: Segment[],
  depth: number,
): void {
  const user = link.label.startsWith('@') ? userOfMentionUri(link.destination) : undefined;
  if (user !== undefined) {
    // The name is the one this device knows for that user, not the sender's label.
    const name = o.nameOf?.(user) ?? unescape(link.label.slice(1));
    const mine = user === o.me;
    out.push(
      seg(sanitize(`@${name}`), join(style, mine ? InlineStyle.mentionMe : InlineStyle.mention)),
    );
    return;
  }
  inline(link.label, join(style, InlineStyle.link), o, out, depth + 1);
  if (unescape(link.label) !== link.destination && link.destination !== '') {
    out.push(seg(sanitize(` (${link.destination})`), join(style, InlineStyle.url)));
  }
}

function runOf(text: string, i: number): number {
  const c = text.charAt(i);
  let n = 0;
  while (text.charAt(i + n) === c) n++;
  return n;
}

/** A code span opened at `i`: closed by a run of as many backticks. */
function codeSpan(text: string, i: number): { code: string; end: number } | undefined {
  const n = runOf(text, i);
  for (let j = text.indexOf('`', i + n); j !== -1; j = text.indexOf('`', j + runOf(text, j))) {
    if (runOf(text, j) !== n) continue;
    let code = text.slice(i + n, j);
    if (code.length > 1 && code.startsWith(' ') && code.endsWith(' ') && code.trim() !== '') {
      code = code.slice(1, -1);
    }
    return { code, end: j + n };
  }
  return undefined;
}

/** `[label](destination "title")` at `i`, with the label's brackets balanced. */
function linkAt(
  text: string,
  i: number,
): { label: string; destination: string; end: number } | undefined {
  let level = 0;
  let j = i;
  for (; j < text.length; j++) {
    const c = text.charAt(j);
    if (c === '\\') j++;
    else if (c === '`') j = (codeSpan(text, j)?.end ?? j + 1) - 1;
    else if (c === '[') level++;
    else if (c === ']' && --level === 0) break;
  }
  if (j >= text.length || text.charAt(j + 1) !== '(') return undefined;
  const tail =
    /^\(\s*(?:<([^<>\n]*)>|((?:[^\s()\\]|\\.|\([^\s()]*\))*))(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/.exec(
      text.slice(j + 1),
    );
  if (tail === null) return undefined;
  return {
    label: text.slice(i + 1, j),
    destination: unescape(tail[1] ?? tail[2] ?? ''),
    end: j + 1 + tail[0].length,
  };
}

/** Emphasis opened by the delimiter run at `i`, when a matching run closes it. */
function emphasisAt(
  text: string,
  i: number,
): { from: number; to: number; end: number; style: string } | undefined {
  const c = text.charAt(i);
  const n = runOf(text, i);
  const after = text.charAt(i + n);
  if (after === '' || /\s/.test(after)) return undefined;
  const wordy = (ch: string): boolean => /[\p{L}\p{N}]/u.test(ch);
  if (c === '_' && wordy(text.charAt(i - 1))) return undefined;
  if (c === '~' && n > 2) return undefined;
  for (let j = i + n; j < text.length; j++) {
    const ch = text.charAt(j);
    if (ch === '\\') {
      j++;
      continue;
    }
    if (ch === '`') {
      j = (codeSpan(text, j)?.end ?? j + 1) - 1;
      continue;
    }
    if (ch !== c) continue;
    const m = runOf(text, j);
    const closes =
      m === n && !/\s/.test(text.charAt(j - 1)) && !(c === '_' && wordy(text.charAt(j + m)));
    if (closes) {
      const style =
        c === '~'
          ? InlineStyle.strike
          : n === 1
            ? InlineStyle.italic
            : n === 2
              ? InlineStyle.bold
              : join(InlineStyle.bold, InlineStyle.italic);
      return { from: i + n, to: j, end: j + m, style };
    }
    j += m - 1;
  }
  return undefined;
}

function decodeEntity(m: RegExpExecArray): string | undefined {
  if (m[3] !== undefined) return ENTITIES[m[3]];
  const code = m[1] !== undefined ? Number(m[1]) : parseInt(m[2] ?? '', 16);
  if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return '\ufffd';
  return String.fromCodePoint(code);
}

function unescape(text: string): string {
  return text.replace(/\\([!-/:-@[-`{-~])/g, '$1');
}

/** Adjacent runs of one style as one. */
function merge(segments: readonly Segment[]): Segment[] {
  const out: Segment[] = [];
  for (const s of segments) {
    const last = out.at(-1);
    if (last?.style === s.style) out[out.length - 1] = seg(last.text + s.text, s.style);
    else if (s.text !== '') out.push(s);
  }
  return out;
}
