import stringWidth from 'string-width';

/** A run of text drawn in one style (an SGR parameter list such as '1' or '2;36', '' for plain). */
export interface Segment {
  readonly text: string;
  readonly style: string;
}

/** A screen row as styled runs, before it is fitted to the width. */
export type Styled = readonly Segment[];

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

export function seg(text: string, style = ''): Segment {
  return { text, style };
}

/** Columns a string takes in a terminal (wide characters and emoji count two). */
export function widthOf(text: string): number {
  return stringWidth(text);
}

/**
 * Text from other people, made safe to print: control characters (escape sequences could
 * recolour or rewrite the screen) become U+FFFD, tabs become spaces. Newlines are kept only when
 * `keepNewlines`, for the wrapper to break on.
 */
export function sanitize(text: string, keepNewlines = false): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '\n' && keepNewlines) out += ch;
    else if (ch === '\t') out += '  ';
    else if (code < 0x20 || (code >= 0x7f && code < 0xa0)) out += code === 0x0a ? ' ' : '\ufffd';
    else out += ch;
  }
  return out;
}

/** The first graphemes of `text` that fit in `columns`, and the rest. */
export function splitAtWidth(text: string, columns: number): [string, string] {
  let used = 0;
  let cut = 0;
  for (const { segment, index } of graphemes.segment(text)) {
    const w = widthOf(segment);
    if (used + w > columns) return [text.slice(0, index), text.slice(index)];
    used += w;
    cut = index + segment.length;
  }
  return [text.slice(0, cut), text.slice(cut)];
}

/** `text` cut to `columns`, ending in an ellipsis when it was longer. */
export function truncate(text: string, columns: number): string {
  if (widthOf(text) <= columns) return text;
  if (columns <= 0) return '';
  return `${splitAtWidth(text, columns - 1)[0]}…`;
}

/**
 * Styled runs as one screen row of exactly `width` columns: cut when too long, padded with spaces
 * when short, each run wrapped in its SGR codes.
 */
export function fit(line: Styled, width: number, fill = ''): string {
  let out = '';
  let left = width;
  for (const s of line) {
    if (left <= 0) break;
    const [part] = splitAtWidth(s.text, left);
    left -= widthOf(part);
    out += paint(part, s.style);
    // A wide character that did not fit leaves one column: the padding below fills it.
    if (part.length < s.text.length) break;
  }
  return out + paint(' '.repeat(Math.max(0, left)), fill);
}

function paint(text: string, style: string): string {
  if (text === '' || style === '') return text;
  return `\x1b[${style}m${text}\x1b[0m`;
}

/**
 * Word-wraps styled runs into rows of at most `width` columns. Breaks at spaces, splits a word
 * longer than a row (a link, a key) wherever it must, and starts a new row at each newline.
 * Rows after the first begin with `indent` (as many spaces), which counts toward the width.
 */
export function wrap(line: Styled, width: number, indentBy = 0): Segment[][] {
  const indent = Math.max(0, Math.min(indentBy, width - 1));
  const rows: Segment[][] = [[]];
  let used = 0;
  // `soft`: on a row begun by wrapping, until something is put on it (spaces there vanish).
  const row = { soft: false };
  const room = Math.max(1, width);
  const newRow = (wrapped: boolean): void => {
    rows.push(indent > 0 ? [seg(' '.repeat(indent))] : []);
    used = indent;
    row.soft = wrapped;
  };
  const put = (text: string, style: string): void => {
    const current = rows.at(-1) ?? [];
    const last = current.at(-1);
    if (last?.style === style) current[current.length - 1] = seg(last.text + text, style);
    else current.push(seg(text, style));
    used += widthOf(text);
    row.soft = false;
  };
  for (const s of line) {
    for (const token of s.text.split(/(\n| +)/)) {
      if (token === '') continue;
      if (token === '\n') {
        newRow(false);
        continue;
      }
      const w = widthOf(token);
      if (token.startsWith(' ')) {
        // Spaces at a break vanish; elsewhere (leading ones too) they are kept as typed.
        if (row.soft) continue;
        if (used + w < room) put(token, s.style);
        else newRow(true);
        continue;
      }
      if (used + w <= room) {
        put(token, s.style);
        continue;
      }
      if (w <= room - indent && used > indent) {
        newRow(true);
        put(token, s.style);
        continue;
      }
      let rest = token;
      while (rest !== '') {
        if (used >= room) newRow(true);
        const [head, tail] = splitAtWidth(rest, room - used);
        // A row too narrow for even one grapheme takes one anyway, or this would never end.
        const taken = head === '' ? splitAtWidth(rest, 2)[0] : head;
        put(taken, s.style);
        rest = head === '' ? rest.slice(taken.length) : tail;
      }
    }
  }
  return rows;
}

/** A line's plain text (SGR codes removed), for tests and width checks. */
export function plain(line: string): string {
  // eslint-disable-next-line no-control-regex
  return line.replace(/\x1b\[[0-9;]*m/g, '');
}
