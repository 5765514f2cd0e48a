import { describe, expect, it } from 'vitest';
import {
  composerView,
  edit,
  EMPTY_COMPOSER,
  MAX_INPUT,
  type Composer,
} from '../../src/tui/editor.ts';
import { InputHistory } from '../../src/tui/history.ts';
import { KeyReader, parseKeys, type Key } from '../../src/tui/keys.ts';

const names = (data: string): string[] =>
  parseKeys(data).map((k) => ('text' in k ? `${k.name}:${k.text}` : k.name));

describe('parseKeys', () => {
  it('keeps typed text together and names control keys', () => {
    expect(names('héllo 👍')).toEqual(['text:héllo 👍']);
    expect(names('ab\rcd\r\n')).toEqual(['text:ab', 'enter', 'text:cd', 'enter']);
    expect(names('\x7f\b\t\x03\x04\x0e\x10\x15\x17')).toEqual([
      'backspace',
      'backspace',
      'tab',
      'ctrl-c',
      'ctrl-d',
      'ctrl-n',
      'ctrl-p',
      'ctrl-u',
      'ctrl-w',
    ]);
  });

  it('reads arrows, Alt-arrows and paging keys as terminals send them', () => {
    expect(names('\x1b[A\x1b[B\x1b[C\x1b[D\x1bOA')).toEqual(['up', 'down', 'right', 'left', 'up']);
    expect(names('\x1b[1;3A\x1b[1;3B\x1b\x1b[A\x1b\x1b[B')).toEqual([
      'alt-up',
      'alt-down',
      'alt-up',
      'alt-down',
    ]);
    expect(names('\x1b[5~\x1b[6~\x1b[H\x1b[F\x1b[3~\x1b[Z')).toEqual([
      'page-up',
      'page-down',
      'home',
      'end',
      'delete',
      'shift-tab',
    ]);
    expect(names('\x1b[99;9x')).toEqual(['unknown']);
  });

  it('tells Esc apart from a key typed right after it', () => {
    expect(names('\x1b')).toEqual(['escape']);
    expect(names('\x1b/link')).toEqual(['escape', 'text:/link']);
  });

  it('reads a bracketed paste as one key, newlines and escapes included', () => {
    expect(parseKeys('a\x1b[200~line 1\nline\x1b[A 2\x1b[201~b')).toEqual<Key[]>([
      { name: 'text', text: 'a' },
      { name: 'paste', text: 'line 1\nline\x1b[A 2' },
      { name: 'text', text: 'b' },
    ]);
  });
});

describe('the composer', () => {
  const type = (c: Composer, ...keys: Key[]): Composer =>
    keys.reduce((acc, key) => edit(acc, key) ?? acc, c);
  const text = (t: string): Key => ({ name: 'text', text: t });

  it('edits by grapheme, so an emoji or a flag is one step', () => {
    let c = type(EMPTY_COMPOSER, text('hi 👍🏽🇫🇷'));
    c = type(c, { name: 'backspace' });
    expect(c.text).toBe('hi 👍🏽');
    c = type(c, { name: 'left' }, text('!'));
    expect(c).toEqual({ text: 'hi !👍🏽', cursor: 4 });
    c = type(c, { name: 'home' }, { name: 'delete' }, { name: 'end' }, text('x'));
    expect(c.text).toBe('i !👍🏽x');
  });

  it('deletes words and line halves like a shell', () => {
    const c = { text: 'one two three', cursor: 13 };
    expect(type(c, { name: 'ctrl-w' }).text).toBe('one two ');
    expect(type({ ...c, cursor: 4 }, { name: 'ctrl-u' })).toEqual({ text: 'two three', cursor: 0 });
    expect(type({ ...c, cursor: 4 }, { name: 'ctrl-k' }).text).toBe('one ');
    expect(type({ ...c, cursor: 13 }, { name: 'word-left' }).cursor).toBe(8);
  });

  it('keeps the lines of a pasted text, and Alt-Enter starts a new line', () => {
    expect(type(EMPTY_COMPOSER, { name: 'paste', text: 'a\r\nb\nc' }).text).toBe('a\nb\nc');
    expect(parseKeys('\x1b\r').map((k) => k.name)).toEqual(['alt-enter']);
    const twoLines = type(EMPTY_COMPOSER, text('one'), { name: 'alt-enter' }, text('two'));
    expect(twoLines.text).toBe('one\ntwo');
    // One row on screen: the newline shows as ↵, an escape in a paste as U+FFFD.
    expect(composerView(twoLines, 30).text).toBe('one↵two');
    const escaped = type(EMPTY_COMPOSER, { name: 'paste', text: 'x\x1b[31my' });
    expect(composerView(escaped, 30).text).toBe('x\ufffd[31my');
  });

  it('holds at most MAX_INPUT characters, however much is pasted or typed', () => {
    const big = 'x'.repeat(MAX_INPUT * 3);
    const pasted = type(EMPTY_COMPOSER, { name: 'paste', text: big });
    expect(pasted.text.length).toBe(MAX_INPUT);
    expect(type(pasted, text('more')).text.length).toBe(MAX_INPUT);
    // The view of a full composer is one row, wherever the cursor is.
    for (const cursor of [0, 100, MAX_INPUT]) {
      const view = composerView({ ...pasted, cursor }, 40);
      expect(view.text.length).toBeLessThanOrEqual(40);
      expect(view.cursor).toBeLessThan(40);
    }
    // Editing at the end of a long input still moves by grapheme.
    const emoji = type(EMPTY_COMPOSER, { name: 'paste', text: `${'y'.repeat(5000)}👍🏽` });
    expect(type(emoji, { name: 'backspace' }).text).toBe('y'.repeat(5000));
  });

  it('leaves Enter, Tab and Ctrl-C to the chat', () => {
    for (const name of ['enter', 'tab', 'ctrl-c', 'ctrl-d', 'escape'] as const) {
      expect(edit(EMPTY_COMPOSER, { name })).toBeUndefined();
    }
  });

  it('shows the part of a long line around the cursor', () => {
    const long = 'abcdefghijklmnopqrstuvwxyz'.repeat(4);
    const end = composerView({ text: long, cursor: long.length }, 30);
    expect(long.endsWith(end.text)).toBe(true);
    expect(end.cursor).toBe(end.text.length);
    expect(end.cursor).toBeLessThan(30);
    const start = composerView({ text: long, cursor: 0 }, 30);
    expect(start).toEqual({ text: long.slice(0, 30), cursor: 0 });
    const short = composerView({ text: 'hi', cursor: 1 }, 30);
    expect(short).toEqual({ text: 'hi', cursor: 1 });
  });
});

describe('InputHistory', () => {
  it('walks back through sent lines and forward to the draft', () => {
    const history = new InputHistory();
    history.add('one');
    history.add('two');
    history.add('two');
    const draft = { text: 'dra', cursor: 2 };
    const back1 = history.step(draft, -1);
    expect(back1).toEqual({ text: 'two', cursor: 3 });
    const back2 = history.step(back1, -1);
    expect(back2.text).toBe('one');
    expect(history.step(back2, -1).text).toBe('one');
    expect(history.step(back2, 1).text).toBe('two');
    expect(history.step(back1, 1)).toEqual(draft);
    expect(history.step(draft, 1)).toEqual(draft);
  });
});

describe('KeyReader', () => {
  it('keeps a paste one key across reads, its end marker cut anywhere, and bounds it', () => {
    const whole = '\x1b[200~one\ntwo\r\nthree\x1b[201~';
    // (A lone ESC ending a read is the Esc key: a cut there is not a paste's.)
    for (let cut = 2; cut < whole.length; cut++) {
      const reader = new KeyReader(100);
      const keys = [
        ...reader.read(`x${whole.slice(0, cut)}`),
        ...reader.read(`${whole.slice(cut)}\r`),
      ];
      expect(keys, `cut at ${cut}`).toEqual<Key[]>([
        { name: 'text', text: 'x' },
        { name: 'paste', text: 'one\ntwo\r\nthree' },
        { name: 'enter' },
      ]);
    }
    const reader = new KeyReader(5);
    expect(reader.read('\x1b[200~abc')).toEqual([]);
    expect(reader.read('defgh\x1b[2')).toEqual([]);
    // An ESC that is not the end marker is part of the paste.
    expect(reader.read('00~\x1b[201~y')).toEqual<Key[]>([
      { name: 'paste', text: 'abcde' },
      { name: 'text', text: 'y' },
    ]);
  });
});
