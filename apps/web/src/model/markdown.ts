import { userOfMentionUri, type UserId } from '@kith/core';

/**
 * Markdown as data the UI turns into elements: text stays text (the UI never hands it to the
 * DOM as HTML), links keep only schemes that cannot run code, and images never load (a page
 * with no third-party requests shows them as links). Raw HTML in a message is just text.
 */
export type Inline =
  | { readonly t: 'text'; readonly v: string }
  | { readonly t: 'strong' | 'em' | 'del'; readonly c: readonly Inline[] }
  | { readonly t: 'code'; readonly v: string }
  | { readonly t: 'link'; readonly href: string; readonly c: readonly Inline[] }
  | { readonly t: 'mention'; readonly user: UserId; readonly label: string }
  | { readonly t: 'br' };

export type Block =
  | { readonly t: 'p'; readonly c: readonly Inline[] }
  | { readonly t: 'h'; readonly level: number; readonly c: readonly Inline[] }
  | { readonly t: 'pre'; readonly v: string }
  | { readonly t: 'quote'; readonly c: readonly Block[] }
  | { readonly t: 'list'; readonly ordered: boolean; readonly items: readonly Block[][] };

/** Link targets a message may carry; anything else (javascript:, data:, file:...) is text. */
const SAFE_SCHEME = /^(https?:\/\/|mailto:)/i;
const MAX_DEPTH = 8;
const WORD = /[\p{L}\p{N}]/u;

/** Whether `href` may become a link's target. */
export function isSafeHref(href: string): boolean {
  // Control characters and spaces could hide a scheme from a naive check ("java\tscript:").
  // eslint-disable-next-line no-control-regex
  return SAFE_SCHEME.test(href) && !/[\u0000-\u0020\u007f]/.test(href);
}

/** Parses a message's Markdown into blocks. */
export function parseMarkdown(text: string, depth = 0): Block[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const out: Block[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] ?? '';
    if (line.trim() === '') {
      i++;
      continue;
    }
    const fence = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (fence !== null) {
      const marker = fence[1] ?? '```';
      const body: string[] = [];
      i++;
      while (i < lines.length && !(lines[i] ?? '').trimStart().startsWith(marker)) {
        body.push(lines[i] ?? '');
        i++;
      }
      i++;
      out.push({ t: 'pre', v: body.join('\n') });
      continue;
    }
    const heading = /^ {0,3}(#{1,6})\s+(.*)$/.exec(line);
    if (heading !== null) {
      out.push({ t: 'h', level: heading[1]?.length ?? 1, c: parseInline(heading[2] ?? '') });
      i++;
      continue;
    }
    if (/^ {0,3}>/.test(line) && depth < MAX_DEPTH) {
      const body: string[] = [];
      while (i < lines.length && /^ {0,3}>/.test(lines[i] ?? '')) {
        body.push((lines[i] ?? '').replace(/^ {0,3}> ?/, ''));
        i++;
      }
      out.push({ t: 'quote', c: parseMarkdown(body.join('\n'), depth + 1) });
      continue;
    }
    const item = listItem(line);
    if (item !== undefined && depth < MAX_DEPTH) {
      const items: Block[][] = [];
      while (i < lines.length) {
        const next = listItem(lines[i] ?? '');
        if (next?.ordered !== item.ordered) break;
        items.push(parseMarkdown(next.rest, depth + 1));
        i++;
      }
      out.push({ t: 'list', ordered: item.ordered, items });
      continue;
    }
    const para: string[] = [];
    while (i < lines.length && (lines[i] ?? '').trim() !== '' && !startsBlock(lines[i] ?? '')) {
      para.push(lines[i] ?? '');
      i++;
    }
    if (para.length === 0) {
      // A block start that could not nest deeper: kept as text.
      para.push(line);
      i++;
    }
    out.push({ t: 'p', c: parseInline(para.join('\n')) });
  }
  return out;
}

function listItem(line: string): { ordered: boolean; rest: string } | undefined {
  const m = /^ {0,3}([-*+]|\d{1,9}[.)])\s+(.*)$/.exec(line);
  if (m === null) return undefined;
  return { ordered: /\d/.test(m[1] ?? ''), rest: m[2] ?? '' };
}

function startsBlock(line: string): boolean {
  return /^ {0,3}(`{3,}|~{3,}|#{1,6}\s|>)/.test(line) || listItem(line) !== undefined;
}

const PAIRS = [
  { open: '**', t: 'strong' },
  { open: '__', t: 'strong' },
  { open: '~~', t: 'del' },
  { open: '*', t: 'em' },
  { open: '_', t: 'em' },
] as const;

/**
 * Inline Markdown: escapes, code spans, emphasis, links, autolinks, bare URLs, line breaks.
 * Each closer search that fails is remembered, so hostile runs of openers stay linear.
 */
export function parseInline(text: string, depth = 0): Inline[] {
  const out: Inline[] = [];
  let plain = '';
  const flush = (): void => {
    if (plain !== '') out.push({ t: 'text', v: plain });
    plain = '';
  };
  const noCloser = new Map<string, number>();
  const closerOf = (token: string, from: number): number => {
    const failedFrom = noCloser.get(token);
    if (failedFrom !== undefined && from >= failedFrom) return -1;
    const at = text.indexOf(token, from);
    if (at < 0) noCloser.set(token, from);
    return at;
  };
  let i = 0;
  while (i < text.length) {
    const c = text.charAt(i);
    if (c === '\\' && /[!-/:-@[-`{-~]/.test(text.charAt(i + 1))) {
      plain += text.charAt(i + 1);
      i += 2;
      continue;
    }
    if (c === '&') {
      const entity = entityAt(text, i);
      if (entity !== undefined) {
        plain += entity.char;
        i = entity.end;
        continue;
      }
    }
    if (c === '\n') {
      flush();
      out.push({ t: 'br' });
      i++;
      continue;
    }
    if (c === '`') {
      const run = /^`+/.exec(text.slice(i))?.[0] ?? '`';
      const end = closerOf(run, i + run.length);
      if (end >= 0) {
        flush();
        out.push({ t: 'code', v: text.slice(i + run.length, end).trim() || ' ' });
        i = end + run.length;
        continue;
      }
      plain += run;
      i += run.length;
      continue;
    }
    if (depth < MAX_DEPTH) {
      const pair = PAIRS.find((p) => text.startsWith(p.open, i));
      // `_` does not open or close inside a word (snake_case, __dunder__ names stay text).
      const word = pair?.open.startsWith('_') === true;
      if (
        pair !== undefined &&
        !/\s/.test(text.charAt(i + pair.open.length)) &&
        !(word && WORD.test(text.charAt(i - 1)))
      ) {
        const end = closerOf(pair.open, i + pair.open.length + 1);
        if (
          end >= 0 &&
          !/\s/.test(text.charAt(end - 1)) &&
          !(word && WORD.test(text.charAt(end + pair.open.length)))
        ) {
          flush();
          const inner = text.slice(i + pair.open.length, end);
          out.push({ t: pair.t, c: parseInline(inner, depth + 1) });
          i = end + pair.open.length;
          continue;
        }
      }
      if (pair !== undefined) {
        // A delimiter run that opens nothing is text as a whole (`__` is never split in two).
        const run = new RegExp(`^\\${pair.open.charAt(0)}+`).exec(text.slice(i))?.[0] ?? pair.open;
        plain += run;
        i += run.length;
        continue;
      }
      const link = linkAt(text, i, closerOf);
      if (link !== undefined) {
        flush();
        out.push(link.node(depth));
        i = link.end;
        continue;
      }
    }
    const url = /^https?:\/\/[^\s<>"]+[^\s<>".,;:!?)\]'*_~]/.exec(text.slice(i));
    if (url !== null && (i === 0 || /[\s(]/.test(text.charAt(i - 1)))) {
      flush();
      out.push({ t: 'link', href: url[0], c: [{ t: 'text', v: url[0] }] });
      i += url[0].length;
      continue;
    }
    plain += c;
    i++;
  }
  flush();
  return out;
}

const ENTITIES: Readonly<Record<string, string>> = {
  lt: '<',
  gt: '>',
  amp: '&',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
};

/**
 * A character reference at `i` (`&lt;`, `&#60;`, `&#x3c;`) as the character, which the page then
 * shows as text: GFM-MIMI senders escape every HTML tag's `<` as `&lt;`.
 */
function entityAt(text: string, i: number): { char: string; end: number } | undefined {
  const m = /^&(?:#(\d{1,7})|#[xX]([0-9A-Fa-f]{1,6})|([A-Za-z]{2,8}));/.exec(text.slice(i, i + 12));
  if (m === null) return undefined;
  const code = m[1] !== undefined ? Number(m[1]) : m[2] !== undefined ? parseInt(m[2], 16) : -1;
  const char =
    code >= 0
      ? code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)
        ? '\ufffd'
        : String.fromCodePoint(code)
      : ENTITIES[m[3] ?? ''];
  return char === undefined ? undefined : { char, end: i + m[0].length };
}

/** `[text](target)`, `![alt](target)` or `<scheme:...>` at `i`. */
function linkAt(
  text: string,
  i: number,
  closerOf: (token: string, from: number) => number,
): { end: number; node: (depth: number) => Inline } | undefined {
  const c = text.charAt(i);
  if (c === '<') {
    const m = /^<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*)>/.exec(text.slice(i));
    if (m === null) return undefined;
    const href = m[1] ?? '';
    return { end: i + m[0].length, node: () => target(href, [{ t: 'text', v: href }], href) };
  }
  const image = c === '!' && text.charAt(i + 1) === '[';
  if (c !== '[' && !image) return undefined;
  const open = image ? i + 1 : i;
  const close = closerOf('](', open + 1);
  if (close < 0 || text.slice(open + 1, close).includes('\n')) return undefined;
  const end = text.indexOf(')', close + 2);
  if (end < 0) return undefined;
  const label = text.slice(open + 1, close);
  const href = text
    .slice(close + 2, end)
    .trim()
    .replace(/^<(.*)>$/, '$1');
  return {
    end: end + 1,
    node: (depth) => {
      if (image) return target(href, [{ t: 'text', v: `🖼 ${label || 'image'}` }], `[${label}]`);
      const user = userOfMentionUri(href);
      if (user !== undefined) return { t: 'mention', user, label: label.replace(/^@/, '') };
      return target(href, parseInline(label, depth + 1), `[${label}](${href})`);
    },
  };
}

/** A link when its target is safe; otherwise the source text, inert. */
function target(href: string, children: Inline[], source: string): Inline {
  return isSafeHref(href) ? { t: 'link', href, c: children } : { t: 'text', v: source };
}

/** The text of inline nodes; a mention by the name `nameOf` gives (default: its own text). */
export function plainText(
  nodes: readonly Inline[],
  nameOf: (user: UserId) => string = () => '',
): string {
  return nodes
    .map((n) =>
      n.t === 'text' || n.t === 'code'
        ? n.v
        : n.t === 'br'
          ? ' '
          : n.t === 'mention'
            ? `@${nameOf(n.user) || n.label}`
            : plainText(n.c, nameOf),
    )
    .join('');
}

/** The text of blocks, one line each (for notifications and previews). */
export function blocksText(blocks: readonly Block[], nameOf: (user: UserId) => string): string {
  return blocks
    .map((b) =>
      b.t === 'pre'
        ? b.v
        : b.t === 'quote'
          ? blocksText(b.c, nameOf)
          : b.t === 'list'
            ? b.items.map((item) => blocksText(item, nameOf)).join(' ')
            : plainText(b.c, nameOf),
    )
    .join(' ');
}
