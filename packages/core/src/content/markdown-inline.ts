/**
 * Inline structure of Markdown, for the GFM-MIMI helpers in markdown.ts: backslash escapes, code
 * spans, autolinks and links, scanned over the runs of inline content that markdown-blocks.ts
 * finds.
 */
import {
  APOSTROPHE,
  BACKSLASH,
  BACKTICK,
  BANG,
  CLOSE_BRACKET,
  CLOSE_PAREN,
  CR,
  DEL,
  GT,
  LF,
  LT,
  OPEN_BRACKET,
  OPEN_PAREN,
  QUOTE,
  SPACE,
  runLength,
} from './markdown-chars.ts';
import { createAngleScanner, skipSpace } from './markdown-html.ts';
import type { AngleScanner } from './markdown-html.ts';
import type { Run } from './markdown-blocks.ts';

const isAsciiPunctuation = (c: number): boolean =>
  (c >= 0x21 && c <= 0x2f) ||
  (c >= 0x3a && c <= 0x40) ||
  (c >= 0x5b && c <= 0x60) ||
  (c >= 0x7b && c <= 0x7e);

/** Whether a backslash before `i` escapes the character at `i`. */
const isEscapable = (text: string, i: number): boolean => isAsciiPunctuation(text.charCodeAt(i));

/** A run's text, and the source position of each of its characters. */
export function joinRun(text: string, run: Run): { value: string; origin: (i: number) => number } {
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
export function scanInline(
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
  const escapeContext = escaping ? { scanner, isBlockStart, willEscape } : undefined;

  const closeBracket = (i: number): number => {
    const opener = openers.pop();
    const active = opener !== undefined && (opener.image || openers.length >= inactiveBelow);
    inactiveBelow = Math.min(inactiveBelow, openers.length);
    const tail = active ? linkTail(text, i + 1, escapeContext) : undefined;
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
