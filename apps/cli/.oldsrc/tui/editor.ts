import type { Key } from './keys.ts';
import { splitAtWidth, widthOf } from './text.ts';

/** The composer line: its text and where the cursor is (an index into `text`). */
export interface Composer {
  readonly text: string;
  readonly cursor: number;
}

export const EMPTY_COMPOSER: Composer = { text: '', cursor: 0 };

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
      // One line: a pasted newline would otherwise send half a message.
      return insert(c, key.text.replace(/\r?\n|\r/g, ' '));
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
  return {
    text: c.text.slice(0, c.cursor) + text + c.text.slice(c.cursor),
    cursor: c.cursor + text.length,
  };
}

function previousBoundary(text: string, at: number): number {
  let last = 0;
  for (const { index } of graphemes.segment(text)) {
    if (index >= at) break;
    last = index;
  }
  return last;
}

function nextBoundary(text: string, at: number): number {
  for (const { index, segment } of graphemes.segment(text)) {
    if (index >= at) return index + segment.length;
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
 * the cursor stays in view, with a few columns of what lies before it.
 */
export function composerView(c: Composer, columns: number): { text: string; cursor: number } {
  const before = c.text.slice(0, c.cursor);
  const room = Math.max(1, columns - 1);
  let shown = before;
  while (
    widthOf(c.text) > room &&
    widthOf(shown) > room - Math.min(8, Math.floor(room / 4)) &&
    shown !== ''
  ) {
    shown = shown.slice(nextBoundary(shown, 0));
  }
  const cursor = widthOf(shown);
  const [after] = splitAtWidth(c.text.slice(c.cursor), columns - cursor);
  return { text: shown + after, cursor };
}
