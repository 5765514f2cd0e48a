/**
 * GFM-MIMI helpers (draft-ietf-mimi-content, "Specifics of Github Flavored Markdown in MIMI" and
 * "Link and Mention handling"): the mandatory "No HTML" rule, and writing and finding mentions.
 *
 * This is not a Markdown parser. It models just enough structure to know where raw HTML and links
 * can occur: fenced code blocks, the blank lines, headings, rules and table cells that bound
 * inline content, and inline backslash escapes, code spans, autolinks and links. Simplifications:
 * - Only fences outside block quotes and list markers are recognised, and indented code blocks not
 *   at all; a tag inside such code is escaped and shows as `&lt;` there.
 * - Block quote markers stay in the inline text, which only matters for a tag split across
 *   quoted lines.
 * - escapeHtmlTags does not parse links, so a tag-like pointy destination (`[x](<a b>)`) is
 *   escaped, and a backtick in a link destination or title may pair with one outside it.
 * - Reference links and entity references are not resolved.
 */
import { createAngleScanner, skipSpace, startsHtmlBlock } from './markdown-html.ts';
import type { AngleScanner } from './markdown-html.ts';

const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const BANG = 0x21;
const QUOTE = 0x22;
const APOSTROPHE = 0x27;
const HASH = 0x23;
const OPEN_PAREN = 0x28;
const CLOSE_PAREN = 0x29;
const STAR = 0x2a;
const PLUS = 0x2b;
const HYPHEN = 0x2d;
const DOT = 0x2e;
const LT = 0x3c;
const EQUALS = 0x3d;
const GT = 0x3e;
const OPEN_BRACKET = 0x5b;
const BACKSLASH = 0x5c;
const CLOSE_BRACKET = 0x5d;
const UNDERSCORE = 0x5f;
const BACKTICK = 0x60;
const PIPE = 0x7c;
const TILDE = 0x7e;
const DEL = 0x7f;

const isSpaceOrTab = (c: number): boolean => c === SPACE || c === TAB;
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isAsciiPunctuation = (c: number): boolean =>
  (c >= 0x21 && c <= 0x2f) ||
  (c >= 0x3a && c <= 0x40) ||
  (c >= 0x5b && c <= 0x60) ||
  (c >= 0x7b && c <= 0x7e);

/** Whether a backslash before `i` escapes the character at `i`. */
const isEscapable = (text: string, i: number): boolean => isAsciiPunctuation(text.charCodeAt(i));

// ---------------------------------------------------------------------------------------------
// Block structure
//
// A small version of CommonMark's block algorithm (§5, "Appendix: A parsing strategy"): block
// quotes and list items as containers, lazy continuation lines, fenced code, and the blocks that
// end a paragraph. Its output is the inline content to scan, one run per paragraph, heading or
// table cell, with container markers cut out.

interface Range {
  readonly start: number;
  readonly end: number;
}

interface Line extends Range {
  /** Start of the following line (after this line's line ending). */
  readonly next: number;
}

/** Inline content: pieces of the source that read as one text when joined. */
type Run = readonly Range[];

interface Layout {
  readonly runs: readonly Run[];
  /** Positions of `<` that open an HTML block. */
  readonly htmlBlockStarts: readonly number[];
}

/** A block quote, or a list item. */
interface Container {
  /** How many columns in a list item's content starts; undefined for a block quote. */
  readonly indent?: number;
  /** Whether the container has no content yet (a list marker alone on its line). */
  empty: boolean;
}

interface Fence {
  readonly char: number;
  readonly length: number;
}

function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  while (start < text.length) {
    let end = start;
    while (end < text.length && text.charCodeAt(end) !== LF && text.charCodeAt(end) !== CR) end++;
    const crlf = text.charCodeAt(end) === CR && text.charCodeAt(end + 1) === LF;
    const next = Math.min(text.length, end + (crlf ? 2 : 1));
    lines.push({ start, end, next });
    start = next === end ? end + 1 : next;
  }
  return lines;
}

function runLength(text: string, from: number, end: number, char: number): number {
  let p = from;
  while (p < end && text.charCodeAt(p) === char) p++;
  return p - from;
}

/** A position in a line and its column: tabs stop every 4 columns, and one may be partly used. */
interface Cursor {
  readonly pos: number;
  readonly col: number;
}

/** The spaces and tabs at `cursor`: their width in columns and the cursor after them. */
function whitespace(text: string, cursor: Cursor, end: number): Cursor & { width: number } {
  let pos = cursor.pos;
  let col = cursor.col;
  for (; pos < end; pos++) {
    const c = text.charCodeAt(pos);
    if (c === SPACE) col++;
    else if (c === TAB) col += 4 - (col % 4);
    else break;
  }
  return { pos, col, width: col - cursor.col };
}

/** Moves `columns` columns over indentation; a tab that straddles the end is used in part. */
function advanceColumns(text: string, cursor: Cursor, end: number, columns: number): Cursor {
  let pos = cursor.pos;
  let col = cursor.col;
  const target = col + columns;
  for (; col < target && pos < end; pos++) {
    if (text.charCodeAt(pos) === TAB) {
      const stop = col + 4 - (col % 4);
      if (stop > target) return { pos, col: target };
      col = stop;
    } else {
      col++;
    }
  }
  return { pos, col };
}

function isBlankFrom(text: string, from: number, end: number): boolean {
  return whitespace(text, { pos: from, col: 0 }, end).pos === end;
}

// The block starts below take the first non-blank character of a line's content; the caller has
// checked that it is indented at most three columns.

function fenceAt(text: string, p: number, end: number): Fence | undefined {
  const char = text.charCodeAt(p);
  if (char !== BACKTICK && char !== TILDE) return undefined;
  const length = runLength(text, p, end, char);
  if (length < 3) return undefined;
  // A backtick fence's info string cannot contain backticks (that line is a code span instead).
  if (char === BACKTICK && text.slice(p + length, end).includes('`')) return undefined;
  return { char, length };
}

function closesFence(text: string, p: number, end: number, fence: Fence): boolean {
  const length = runLength(text, p, end, fence.char);
  return length >= fence.length && isBlankFrom(text, p + length, end);
}

function isAtxHeading(text: string, p: number, end: number): boolean {
  const level = runLength(text, p, end, HASH);
  return (
    level >= 1 && level <= 6 && (p + level === end || isSpaceOrTab(text.charCodeAt(p + level)))
  );
}

function isThematicBreak(text: string, p: number, end: number): boolean {
  const marker = text.charCodeAt(p);
  if (marker !== STAR && marker !== HYPHEN && marker !== UNDERSCORE) return false;
  let count = 0;
  for (let q = p; q < end; q++) {
    const c = text.charCodeAt(q);
    if (c === marker) count++;
    else if (!isSpaceOrTab(c)) return false;
  }
  return count >= 3;
}

function isSetextUnderline(text: string, p: number, end: number): boolean {
  const marker = text.charCodeAt(p);
  if (marker !== EQUALS && marker !== HYPHEN) return false;
  return isBlankFrom(text, p + runLength(text, p, end, marker), end);
}

/** Blocks other than containers that can interrupt a paragraph (HTML blocks are escaped). */
function interruptsParagraph(text: string, p: number, end: number): boolean {
  return (
    fenceAt(text, p, end) !== undefined ||
    isAtxHeading(text, p, end) ||
    isThematicBreak(text, p, end)
  );
}

/** The cursor after a block quote marker at `marker` and its optional following space. */
function afterQuoteMarker(text: string, marker: Cursor, end: number): Cursor {
  const after = { pos: marker.pos + 1, col: marker.col + 1 };
  return after.pos < end && isSpaceOrTab(text.charCodeAt(after.pos))
    ? advanceColumns(text, after, end, 1)
    : after;
}

/** Matches a line against the open containers, as far as they go. */
function matchContainers(
  text: string,
  line: Line,
  containers: readonly Container[],
): { matched: number; cursor: Cursor } {
  let cursor: Cursor = { pos: line.start, col: 0 };
  let matched = 0;
  for (const container of containers) {
    const space = whitespace(text, cursor, line.end);
    if (container.indent === undefined) {
      if (space.width > 3 || text.charCodeAt(space.pos) !== GT || space.pos >= line.end) break;
      cursor = afterQuoteMarker(text, space, line.end);
    } else if (space.pos === line.end) {
      // A blank line continues a list item, unless the item has nothing in it yet.
      if (container.empty) break;
      cursor = space;
    } else if (space.width >= container.indent) {
      cursor = advanceColumns(text, cursor, line.end, container.indent);
    } else {
      break;
    }
    matched++;
  }
  return { matched, cursor };
}

/**
 * A block quote marker or list marker opening a new container at `cursor`. `inParagraph` applies
 * CommonMark's rules for interrupting a paragraph: no empty items, ordered lists start at 1.
 */
function openContainer(
  text: string,
  cursor: Cursor,
  end: number,
  inParagraph: boolean,
): { container: Container; cursor: Cursor } | undefined {
  const space = whitespace(text, cursor, end);
  const p = space.pos;
  if (space.width > 3 || p === end) return undefined;
  const c = text.charCodeAt(p);
  if (c === GT) return { container: { empty: false }, cursor: afterQuoteMarker(text, space, end) };
  if (isThematicBreak(text, p, end)) return undefined;
  let markerEnd = p + 1;
  if (isDigit(c)) {
    markerEnd = p + runLengthOf(text, p, end, isDigit);
    const delimiter = text.charCodeAt(markerEnd);
    if (markerEnd - p > 9 || (delimiter !== DOT && delimiter !== CLOSE_PAREN)) return undefined;
    if (inParagraph && Number(text.slice(p, markerEnd)) !== 1) return undefined;
    markerEnd++;
  } else if (c !== HYPHEN && c !== PLUS && c !== STAR) {
    return undefined;
  }
  if (markerEnd < end && !isSpaceOrTab(text.charCodeAt(markerEnd))) return undefined;
  const markerWidth = space.width + markerEnd - p;
  const afterMarker = { pos: markerEnd, col: space.col + markerEnd - p };
  const gap = whitespace(text, afterMarker, end);
  if (gap.pos === end) {
    return inParagraph
      ? undefined
      : { container: { indent: markerWidth + 1, empty: true }, cursor: gap };
  }
  // Five or more columns after the marker: the content is indented code, one column in.
  if (gap.width > 4) {
    const next = advanceColumns(text, afterMarker, end, 1);
    return { container: { indent: markerWidth + 1, empty: false }, cursor: next };
  }
  return { container: { indent: markerWidth + gap.width, empty: false }, cursor: gap };
}

function runLengthOf(
  text: string,
  from: number,
  end: number,
  test: (c: number) => boolean,
): number {
  let p = from;
  while (p < end && test(text.charCodeAt(p))) p++;
  return p - from;
}

/** A table row's cells: ranges between unescaped pipes, without the optional outer pipes. */
function rowCells(text: string, from: number, end: number): Range[] {
  let start = from + runLengthOf(text, from, end, isSpaceOrTab);
  let stop = end;
  while (stop > start && isSpaceOrTab(text.charCodeAt(stop - 1))) stop--;
  if (start < stop && text.charCodeAt(start) === PIPE) start++;
  const cells: Range[] = [];
  let cell = start;
  for (let p = start; p < stop; p++) {
    const c = text.charCodeAt(p);
    if (c === BACKSLASH) p++;
    else if (c === PIPE) {
      cells.push({ start: cell, end: p });
      cell = p + 1;
    }
  }
  if (cell < stop) cells.push({ start: cell, end: stop });
  return cells;
}

const DELIMITER_CELL = /^[ \t]*:?-+:?[ \t]*$/;

/** Whether `header` and `delimiter` open a GFM table (as many cells, and a pipe somewhere). */
function opensTable(text: string, header: Range, delimiter: Range): boolean {
  const cells = rowCells(text, delimiter.start, delimiter.end);
  if (cells.length === 0) return false;
  if (!cells.every((cell) => DELIMITER_CELL.test(text.slice(cell.start, cell.end)))) return false;
  const hasPipe =
    text.slice(delimiter.start, delimiter.end).includes('|') ||
    text.slice(header.start, header.end).includes('|');
  return hasPipe && rowCells(text, header.start, header.end).length === cells.length;
}

/**
 * Splits a document into runs of inline content, leaving out fenced code. Escaping `<` to `&lt;`
 * changes nothing this looks at, which keeps escapeHtmlTags idempotent. HTML block starts are
 * collected but not treated as blocks, since escapeHtmlTags turns them into text.
 */
function layout(text: string): Layout {
  const runs: Run[] = [];
  const htmlBlockStarts: number[] = [];
  const containers: Container[] = [];
  let paragraph: Range[] | undefined;
  let paragraphLine: Line | undefined;
  let fence: Fence | undefined;
  let inTable = false;
  const endParagraph = (): void => {
    if (paragraph !== undefined && paragraph.length > 0) runs.push(paragraph);
    paragraph = undefined;
  };
  const endBlocks = (): void => {
    endParagraph();
    inTable = false;
  };
  const addParagraphLine = (line: Line, from: number): void => {
    const last = paragraph?.pop();
    if (paragraph === undefined || last === undefined || paragraphLine === undefined) {
      paragraph = [];
    } else {
      // Joined pieces keep the line ending between them.
      paragraph.push({ start: last.start, end: paragraphLine.next });
    }
    paragraph.push({ start: from, end: line.end });
    paragraphLine = line;
  };

  for (const line of splitLines(text)) {
    const { end } = line;
    const matched = matchContainers(text, line, containers);
    const allMatched = matched.matched === containers.length;
    if (fence !== undefined) {
      if (allMatched) {
        const space = whitespace(text, matched.cursor, end);
        if (space.width <= 3 && closesFence(text, space.pos, end, fence)) fence = undefined;
        continue;
      }
      fence = undefined; // Fenced code has no lazy continuation lines.
    }

    let cursor = matched.cursor;
    const opened: Container[] = [];
    for (;;) {
      const inParagraph = paragraph !== undefined && allMatched && opened.length === 0;
      const start = openContainer(text, cursor, end, inParagraph);
      if (start === undefined) break;
      opened.push(start.container);
      cursor = start.cursor;
    }
    const space = whitespace(text, cursor, end);
    const p = space.pos;
    const blank = p === end;
    const blockStart = !blank && space.width <= 3;
    if (blockStart && text.charCodeAt(p) === LT && startsHtmlBlock(text, p, end)) {
      htmlBlockStarts.push(p);
    }
    const lazy =
      !allMatched &&
      opened.length === 0 &&
      paragraph !== undefined &&
      !inTable &&
      !blank &&
      !(blockStart && interruptsParagraph(text, p, end));
    if (lazy) {
      addParagraphLine(line, p);
      continue;
    }
    if (opened.length > 0 || !allMatched) {
      endBlocks();
      containers.length = matched.matched;
      containers.push(...opened);
    }
    if (!blank) for (const container of containers) container.empty = false;

    if (blank) {
      endBlocks();
      continue;
    }
    if (!blockStart) {
      // Indented code, unless it continues a paragraph or a table.
      if (paragraph === undefined && !inTable) continue;
    } else {
      fence = fenceAt(text, p, end);
      if (fence !== undefined || isThematicBreak(text, p, end)) {
        endBlocks();
        continue;
      }
      if (isAtxHeading(text, p, end)) {
        endBlocks();
        runs.push([{ start: p, end }]);
        continue;
      }
      if (paragraph !== undefined && isSetextUnderline(text, p, end)) {
        endParagraph();
        continue;
      }
    }
    if (inTable) {
      for (const cell of rowCells(text, p, end)) runs.push([cell]);
      continue;
    }
    const header = paragraph?.at(-1);
    if (
      paragraph !== undefined &&
      header !== undefined &&
      opensTable(text, header, { start: p, end })
    ) {
      paragraph.pop();
      endParagraph();
      for (const cell of rowCells(text, header.start, header.end)) runs.push([cell]);
      inTable = true;
      continue;
    }
    addParagraphLine(line, p);
  }
  endParagraph();
  return { runs, htmlBlockStarts };
}

/** A run's text, and the source position of each of its characters. */
function joinRun(text: string, run: Run): { value: string; origin: (i: number) => number } {
  const first = run[0];
  if (run.length === 1 && first !== undefined) {
    return { value: text.slice(first.start, first.end), origin: (i) => first.start + i };
  }
  const offsets: number[] = [];
  let value = '';
  for (const piece of run) {
    offsets.push(value.length);
    value += text.slice(piece.start, piece.end);
  }
  const origin = (i: number): number => {
    let low = 0;
    let high = offsets.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((offsets[middle] ?? 0) <= i) low = middle;
      else high = middle - 1;
    }
    return (run[low]?.start ?? 0) + i - (offsets[low] ?? 0);
  };
  return { value, origin };
}

// ---------------------------------------------------------------------------------------------
// Inline structure

/**
 * Code span matching for one run of inline content: given the position of a backtick string,
 * returns the end of the code span it opens, or the end of the string when it has no closer
 * (CommonMark §6.1). Closers are found through an index of backtick runs, so a text full of
 * unmatched backticks is still scanned in linear time.
 */
function codeSpans(text: string): (open: number) => number {
  let runs: Map<number, number[]> | undefined;
  const cursors = new Map<number, number>();
  return (open) => {
    const length = runLength(text, open, text.length, BACKTICK);
    const openEnd = open + length;
    runs ??= backtickRuns(text);
    const starts = runs.get(length) ?? [];
    let k = cursors.get(length) ?? 0;
    while (k < starts.length && (starts[k] ?? Infinity) < openEnd) k++;
    cursors.set(length, k);
    const close = starts[k];
    return close === undefined ? openEnd : close + length;
  };
}

function backtickRuns(text: string): Map<number, number[]> {
  const runs = new Map<number, number[]>();
  let p = text.indexOf('`');
  while (p !== -1) {
    const length = runLength(text, p, text.length, BACKTICK);
    const starts = runs.get(length);
    if (starts === undefined) runs.set(length, [p]);
    else starts.push(p);
    p = text.indexOf('`', p + length);
  }
  return runs;
}

interface Link {
  /** The raw text between the brackets. */
  readonly label: string;
  /** The raw destination, without `<...>`. */
  readonly destination: string;
}

interface Opener {
  readonly position: number;
  readonly image: boolean;
}

/**
 * Scans one run of inline content the way CommonMark does (§6, and "look for link or image" in
 * its appendix): backslash escapes, code spans, autolinks and links, left to right. With
 * `escaping`, it also collects the `<` that escapeHtmlTags must escape; `isBlockStart` marks those
 * already escaped as HTML block starts. Returns the links that are not inside an image.
 */
function scanInline(
  text: string,
  escaping: boolean,
  isBlockStart: (i: number) => boolean = () => false,
): { escapes: number[]; links: Link[] } {
  const scanner = createAngleScanner(text);
  const codeSpanEnd = codeSpans(text);
  const escapes: number[] = [];
  const links: (Link & { position: number })[] = [];
  const openers: Opener[] = [];
  // Link openers below this stack height are inactive: they would put a link inside a link.
  let inactiveBelow = 0;

  /** Whether the `<` at `i`, read as text, is to be escaped. */
  const willEscape = (i: number): boolean =>
    isBlockStart(i) ||
    (scanner.autolink(i) === -1 && (scanner.htmlTag(i) !== -1 || scanner.looseAutolink(i)));
  const escapingWith = escaping ? { scanner, isBlockStart, willEscape } : undefined;

  const closeBracket = (i: number): number => {
    const opener = openers.pop();
    const active = opener !== undefined && (opener.image || openers.length >= inactiveBelow);
    inactiveBelow = Math.min(inactiveBelow, openers.length);
    const tail = active ? linkTail(text, i + 1, escapingWith) : undefined;
    if (opener === undefined || tail === undefined) return i + 1;
    escapes.push(...tail.escapes);
    if (opener.image) {
      // A link in an image description only becomes alt text.
      while ((links.at(-1)?.position ?? -1) > opener.position) links.pop();
    } else {
      inactiveBelow = openers.length;
      const label = text.slice(opener.position + 1, i);
      links.push({ position: opener.position, label, destination: tail.destination });
    }
    return tail.end;
  };

  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) {
      i += isEscapable(text, i + 1) ? 2 : 1;
    } else if (c === BACKTICK) {
      i = codeSpanEnd(i);
    } else if (c === LT) {
      const autolinkEnd = isBlockStart(i) ? -1 : scanner.autolink(i);
      if (autolinkEnd !== -1) {
        i = autolinkEnd;
        continue;
      }
      // After a tag, scanning resumes right after its `<`: once escaped, its insides are text.
      if (escaping && willEscape(i)) escapes.push(i);
      i++;
    } else if (c === BANG && text.charCodeAt(i + 1) === OPEN_BRACKET) {
      openers.push({ position: i + 1, image: true });
      i += 2;
    } else if (c === OPEN_BRACKET) {
      openers.push({ position: i, image: false });
      i++;
    } else if (c === CLOSE_BRACKET) {
      i = closeBracket(i);
    } else {
      i++;
    }
  }
  return { escapes, links };
}

const MAX_PAREN_DEPTH = 32; // CommonMark allows a limit; it bounds the work on hostile input.

interface Escaping {
  readonly scanner: AngleScanner;
  readonly isBlockStart: (i: number) => boolean;
  readonly willEscape: (i: number) => boolean;
}

/**
 * Parses `(destination "title")` at `from` (CommonMark §6.3). Returns the raw destination, the
 * end of the closing parenthesis and, with `escaping`, the `<` inside to escape; or undefined.
 *
 * When escaping, the question is whether the tail is a link once escaped, since that is what
 * receivers parse. A `<destination>` that holds a `<` fails as written but succeeds once that
 * `<` is escaped, so it is accepted and its inner `<` are escaped. A destination that starts with
 * a `<` to be escaped anyway (`[x](<b>c)`) is read as a plain destination starting with `&lt;`.
 */
function linkTail(
  text: string,
  from: number,
  escaping?: Escaping,
): { destination: string; end: number; escapes: number[] } | undefined {
  if (text.charCodeAt(from) !== OPEN_PAREN) return undefined;
  // Tabs count as spaces here in CommonMark, but not in commonmark.js or markdown-it: when
  // escaping, a tab ends the link, which leaves more of the text to be escaped.
  const tabs = escaping === undefined;
  const start = skipSpace(text, from + 1, tabs);
  if (text.charCodeAt(start) !== LT) {
    return linkTailFrom(text, start, rawDestinationEnd(text, start), false, tabs);
  }
  if (escaping === undefined) {
    return linkTailFrom(text, start, pointyDestinationEnd(text, start), true, tabs);
  }
  if (!escaping.isBlockStart(start)) {
    const close = escaping.scanner.pointyDestinationEnd(start + 1);
    const tail =
      close !== -1 && text.charCodeAt(close) === GT
        ? linkTailFrom(text, start, close + 1, true, tabs)
        : undefined;
    if (tail !== undefined) {
      tail.escapes.push(...unescapedAngles(text, start + 1, close));
      return tail;
    }
  }
  if (!escaping.willEscape(start)) return undefined;
  const tail = linkTailFrom(text, start, rawDestinationEnd(text, start), false, tabs);
  tail?.escapes.push(start);
  return tail;
}

/** The rest of a link tail, after a destination from `start` to `end` (-1: none). */
function linkTailFrom(
  text: string,
  start: number,
  end: number,
  pointy: boolean,
  tabs: boolean,
): { destination: string; end: number; escapes: number[] } | undefined {
  if (end === -1) return undefined;
  const destination = pointy ? text.slice(start + 1, end - 1) : text.slice(start, end);
  let p = skipSpace(text, end, tabs);
  const opener = text.charCodeAt(p);
  if (p > end && (opener === QUOTE || opener === APOSTROPHE || opener === OPEN_PAREN)) {
    const closer = opener === OPEN_PAREN ? CLOSE_PAREN : opener;
    let t = p + 1;
    for (; t < text.length; t++) {
      const c = text.charCodeAt(t);
      if (c === BACKSLASH && isEscapable(text, t + 1)) t++;
      else if (c === closer) break;
      else if (opener === OPEN_PAREN && c === OPEN_PAREN) return undefined;
    }
    if (t >= text.length) return undefined;
    p = skipSpace(text, t + 1, tabs);
  }
  return text.charCodeAt(p) === CLOSE_PAREN ? { destination, end: p + 1, escapes: [] } : undefined;
}

/** End of `<destination>` starting at `start`, or -1. */
function pointyDestinationEnd(text: string, start: number): number {
  for (let p = start + 1; p < text.length; p++) {
    const c = text.charCodeAt(p);
    if (c === BACKSLASH && isEscapable(text, p + 1)) p++;
    else if (c === GT) return p + 1;
    else if (c === LT || c === LF || c === CR) return -1;
  }
  return -1;
}

/** End of a destination without `<...>` starting at `start`, or -1 (unbalanced parentheses). */
function rawDestinationEnd(text: string, start: number): number {
  let depth = 0;
  let p = start;
  for (; p < text.length; p++) {
    const c = text.charCodeAt(p);
    if (c === BACKSLASH && isEscapable(text, p + 1)) p++;
    else if (c <= SPACE || c === DEL) break;
    else if (c === OPEN_PAREN) {
      depth++;
      if (depth > MAX_PAREN_DEPTH) return -1;
    } else if (c === CLOSE_PAREN) {
      if (depth === 0) break;
      depth--;
    }
  }
  return depth === 0 ? p : -1;
}

/** Positions of the `<` between `from` and `to` that no backslash escapes. */
function unescapedAngles(text: string, from: number, to: number): number[] {
  const positions: number[] = [];
  for (let p = from; p < to; p++) {
    const c = text.charCodeAt(p);
    if (c === BACKSLASH && isEscapable(text, p + 1)) p++;
    else if (c === LT) positions.push(p);
  }
  return positions;
}

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
 * linkTail). Escaping a `<` that turns out not to need it is harmless outside code.
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
 * @throws RangeError when `uri` does not start with a URI scheme.
 */
export function mention(displayName: string, uri: string): string {
  if (!URI_SCHEME.test(uri)) {
    const shown = uri.length > 80 ? `${uri.slice(0, 80)}…` : uri;
    throw new RangeError(
      `mention URI must start with a scheme such as "mimi:": ${JSON.stringify(shown)}`,
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
