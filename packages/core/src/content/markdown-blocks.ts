/**
 * The block structure of a Markdown document, for the GFM-MIMI helpers in markdown.ts.
 *
 * A small version of CommonMark's block algorithm (§5, "Appendix: A parsing strategy"): block
 * quotes and list items as containers, lazy continuation lines, fenced code, and the blocks that
 * end a paragraph. Its output is the inline content to scan, one run per paragraph, heading or
 * table cell, with container markers cut out.
 */
import {
  BACKTICK,
  CLOSE_PAREN,
  CR,
  DOT,
  EQUALS,
  GT,
  HASH,
  HYPHEN,
  LF,
  LT,
  PLUS,
  SPACE,
  STAR,
  TAB,
  TILDE,
  UNDERSCORE,
  isDigit,
  isSpaceOrTab,
  runLength,
  runLengthOf,
} from './markdown-chars.ts';
import { startsHtmlBlock } from './markdown-html.ts';
import { opensTable, rowCells, type Range } from './markdown-tables.ts';

interface Line extends Range {
  /** Start of the following line (after this line's line ending). */
  readonly next: number;
}

/** Inline content: pieces of the source that read as one text when joined. */
export type Run = readonly Range[];

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

// Block quotes and list items nested deeper than this are read as text, as markdown-it does by
// default. Only hostile input nests this deep, and checking each marker costs a pass over the line.
const MAX_NESTING = 100;

/**
 * Splits a document into runs of inline content, leaving out fenced code. Escaping `<` to `&lt;`
 * changes nothing this looks at, which keeps escapeHtmlTags idempotent. HTML block starts are
 * collected but not treated as blocks, since escapeHtmlTags turns them into text.
 */
export function layout(text: string): Layout {
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
    while (matched.matched + opened.length < MAX_NESTING) {
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
    // A container holds something once a line has content in it, or opens a container in it.
    let filled = containers.length;
    if (opened.length > 0) filled--;
    else if (blank) filled = 0;
    for (const container of containers.slice(0, filled)) container.empty = false;

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
