import type { Key } from './keys.ts';
import { sanitize, splitAtWidth, widthOf } from './text.ts';

/** The composer line: its text and where the cursor is (an index into `text`). */
export interface Composer {
  readonly text: string;
  readonly cursor: number;
}

export const EMPTY_COMPOSER: Composer = { text: '', cursor: 0 };

/**
 * The most the composer holds (UTF-16 units): a message larger than this is not chat. A paste
 * past it is cut, so a stuck key or a pasted file cannot grow the chat's memory without end.
 */
export const MAX_INPUT = 16 * 1024;

/** A grapheme is never longer than this in practice: boundaries are looked for this far back. */
const GRAPHEME_REACH = 64;

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * The composer after an editing key, or undefined when the key is not an editing key (Enter,
 * Tab, Ctrl-C and the like are for the chat to handle). Moves by grapheme, so an emoji or an
 * accented letter is one step.
 */
export function edit(c: Composer, key: Key): Composer | undefined {
  switch (key.name) {
    case 'text':
      return insert(c, key.text);
    case 'paste':
      // Newlines stay: a pasted paragraph is one message, sent with Enter.
      return insert(c, key.text.replace(/\r\n?/g, '\n'));
    case 'alt-enter':
      return insert(c, '\n');
    case 'backspace': {
      const start = previousBoundary(c.text, c.cursor);
      return { text: c.text.slice(0, start) + c.text.slice(c.cursor), cursor: start };
    }
    case 'delete': {
      const end = nextBoundary(c.text, c.cursor);
      return { text: c.text.slice(0, c.cursor) + c.text.slice(end), cursor: c.cursor };
    }
    case 'left':
      return { ...c, cursor: previousBoundary(c.text, c.cursor) };
    case 'right':
      return { ...c, cursor: nextBoundary(c.text, c.cursor) };
    case 'home':
    case 'ctrl-a':
      return { ...c, cursor: 0 };
    case 'end':
    case 'ctrl-e':
      return { ...c, cursor: c.text.length };
    case 'word-left':
      return { ...c, cursor: wordStart(c.text, c.cursor) };
    case 'word-right':
      return { ...c, cursor: wordEnd(c.text, c.cursor) };
    case 'ctrl-u':
      return { text: c.text.slice(c.cursor), cursor: 0 };
    case 'ctrl-k':
      return { text: c.text.slice(0, c.cursor), cursor: c.cursor };
    case 'ctrl-w': {
      const start = wordStart(c.text, c.cursor);
      return { text: c.text.slice(0, start) + c.text.slice(c.cursor), cursor: start };
    }
    default:
      return undefined;
  }
}

function insert(c: Composer, text: string): Composer {
  text = text.slice(0, Math.max(0, MAX_INPUT - c.text.length));
  return {
    text: c.text.slice(0, c.cursor) + text + c.text.slice(c.cursor),
    cursor: c.cursor + text.length,
  };
}

/** Segments only near `at`: a keystroke in a long input costs no more than in a short one. */
function previousBoundary(text: string, at: number): number {
  const from = Math.max(0, at - GRAPHEME_REACH);
  let last = from;
  for (const { index } of graphemes.segment(text.slice(from, at))) last = from + index;
  return at === 0 ? 0 : last;
}

function nextBoundary(text: string, at: number): number {
  for (const { segment } of graphemes.segment(text.slice(at, at + GRAPHEME_REACH))) {
    return at + segment.length;
  }
  return text.length;
}

function wordStart(text: string, at: number): number {
  let i = at;
  while (i > 0 && text[i - 1] === ' ') i--;
  while (i > 0 && text[i - 1] !== ' ') i--;
  return i;
}

function wordEnd(text: string, at: number): number {
  let i = at;
  while (i < text.length && text[i] === ' ') i++;
  while (i < text.length && text[i] !== ' ') i++;
  return i;
}

/**
 * What of the composer fits in `columns`, and the cursor's column in it. A long line scrolls so
 * the cursor stays in view, with a few columns of what lies before it. A newline shows as ↵ and
 * control characters (a paste may hold escapes) as U+FFFD. Only the text near the cursor is
 * measured, so a frame costs the same whatever the input's length.
 */
export function composerView(c: Composer, columns: number): { text: string; cursor: number } {
  const room = Math.max(1, columns - 1);
  const reach = 4 * columns + GRAPHEME_REACH;
  const from = Math.max(0, c.cursor - reach);
  const before = [...graphemes.segment(shown(c.text.slice(from, c.cursor)))].map((g) => g.segment);
  const after = shown(c.text.slice(c.cursor, c.cursor + reach));
  const widths = before.map(widthOf);
  let width = widths.reduce((a, b) => a + b, 0);
  const whole = from === 0 && c.cursor + reach >= c.text.length;
  let start = 0;
  if (!whole || width + widthOf(after) > room) {
    const keep = room - Math.min(8, Math.floor(room / 4));
    while (start < before.length && width > keep) width -= widths[start++] ?? 0;
  }
  const [visible] = splitAtWidth(after, columns - width);
  return { text: before.slice(start).join('') + visible, cursor: width };
}

function shown(text: string): string {
  return sanitize(text.replace(/\n/g, '↵'));
}
