import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cleanDisplayText } from '../../src/people/display-text.ts';

const FORBIDDEN =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/u;

describe('cleanDisplayText', () => {
  it('turns escape sequences and line breaks into spaces, and collapses them', () => {
    expect(cleanDisplayText('\x1b[2J\x1b[31mana\r\nadmin', 64)).toBe('[2J [31mana admin');
    expect(cleanDisplayText('  ana \t  smith  ', 64)).toBe('ana smith');
    expect(cleanDisplayText('a\u2028b\u0085c', 64)).toBe('a b c');
  });

  it('drops bidi controls and invisible characters that make names look alike', () => {
    // "ana" followed by a right-to-left override that would show "txt.exe" as "exe.txt".
    expect(cleanDisplayText('ana\u202etxt.exe', 64)).toBe('anatxt.exe');
    expect(cleanDisplayText('a\u200bn\u2066a\u2069\ufeff', 64)).toBe('ana');
    // The zero-width joiner stays: emoji sequences need it.
    expect(cleanDisplayText('👩\u200d💻', 64)).toBe('👩\u200d💻');
  });

  it('cuts at a number of code points, never inside a surrogate pair', () => {
    expect(cleanDisplayText('abcdef', 3)).toBe('abc');
    expect(cleanDisplayText('😀😀😀', 2)).toBe('😀😀');
    expect(cleanDisplayText('ab cd', 3)).toBe('ab');
    expect(cleanDisplayText('a\ud800b', 64)).toBe('ab');
  });

  it('never lets a control or bidi character through, stays short, and is idempotent', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.nat(80), (text, max) => {
        const clean = cleanDisplayText(text, max);
        expect(FORBIDDEN.test(clean)).toBe(false);
        expect(Array.from(clean).length).toBeLessThanOrEqual(max);
        expect(clean).toBe(clean.trim());
        expect(cleanDisplayText(clean, max)).toBe(clean);
      }),
    );
  });
});
