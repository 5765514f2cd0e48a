import fc from 'fast-check';
import type { UserId } from '@kith/core';
import { describe, expect, it } from 'vitest';
import { markdownSegments } from '../../src/tui/markdown.ts';
import { fit, plain, wrap, type Segment } from '../../src/tui/text.ts';

const ANA = `u${'a'.repeat(52)}` as UserId;
const BEN = `u${'b'.repeat(51)}a` as UserId;
const names = new Map<string, string>([
  [ANA, 'ana'],
  [BEN, 'ben'],
]);
const md = (text: string): Segment[] =>
  markdownSegments(text, { me: ANA, nameOf: (u) => names.get(u) });
/** Each run as `text|style`, for readable expectations. */
const runs = (text: string): string[] => md(text).map((s) => `${s.text}|${s.style}`);
const shown = (text: string): string =>
  md(text)
    .map((s) => s.text)
    .join('');

describe('Markdown in the terminal', () => {
  it('styles emphasis, strike-through and code spans', () => {
    expect(runs('a **bold** and *it* or _it_, ~~gone~~ `x*y*`')).toEqual([
      'a |',
      'bold|1',
      ' and |',
      'it|3',
      ' or |',
      'it|3',
      ', |',
      'gone|9',
      ' |',
      'x*y*|36',
    ]);
    expect(runs('***both*** and *a **b** c*')).toEqual([
      'both|1;3',
      ' and |',
      'a |3',
      'b|3;1',
      ' c|3',
    ]);
  });

  it('leaves lone delimiters, snake_case and escapes as text', () => {
    expect(shown('2 * 3 * 4 = 24, snake_case_name, \\*not\\*, a`b')).toBe(
      '2 * 3 * 4 = 24, snake_case_name, *not*, a`b',
    );
    expect(md('x_y_z')).toEqual([{ text: 'x_y_z', style: '' }]);
  });

  it('draws headings, lists, task lists, quotes, rules and code blocks', () => {
    const text = [
      '# Plan',
      '- one',
      '  * nested',
      '3. third',
      '- [x] done',
      '> quoted **bold**',
      '---',
      '```js',
      'let a = `b`; # not a heading',
      '```',
    ].join('\n');
    expect(
      md(text)
        .map((s) => s.text)
        .join('')
        .split('\n'),
    ).toEqual([
      'Plan',
      '• one',
      '  • nested',
      '3. third',
      '• ☑ done',
      '│ quoted bold',
      '────────',
      '  let a = `b`; # not a heading',
    ]);
    expect(md('# Plan')[0]).toEqual({ text: 'Plan', style: '1;4' });
    expect(runs('> quoted **bold**')).toEqual(['│ |2', 'quoted |2', 'bold|2;1']);
    expect(md('```\ncode\n```')).toEqual([{ text: '  code', style: '36' }]);
  });

  it('shows links with their address, and images as a placeholder', () => {
    expect(runs('see [the docs](https://kith.example/docs) or <https://x.example>')).toEqual([
      'see |',
      'the docs|4',
      ' (https://kith.example/docs)|2',
      ' or |',
      'https://x.example|4',
    ]);
    expect(shown('![a cat](blob:1)')).toBe('[image: a cat]');
    expect(shown('[https://a.example](https://a.example)')).toBe('https://a.example');
  });

  it('shows mentions by the name this device knows, this user’s highlighted', () => {
    expect(runs(`hi [@Admin](kith:user/${BEN}) and [@x](kith:user/${ANA})`)).toEqual([
      'hi |',
      '@ben|1;33',
      ' and |',
      '@ana|1;30;43',
    ]);
  });

  it('decodes the entities the No-HTML rule writes', () => {
    expect(shown('a &lt;b&gt; &amp; &#128512; &bogus;')).toBe('a <b> & 😀 &bogus;');
  });

  it('never passes an escape sequence or control character from the text', () => {
    const evil = [
      '\x1b[2J',
      '\x1b]0;title\x07',
      '&#27;[31m',
      '&#x9b;',
      '[\x1b[31m](x:\x1b)',
      '`\x1b`',
      '# \x1b',
      '```\n\x1b[1m\n```',
      '\r\x08',
    ];
    const parts = fc.array(
      fc.oneof(
        fc.constantFrom(
          ...evil,
          '*',
          '**',
          '_',
          '`',
          '[',
          '](',
          ')',
          '\n',
          '> ',
          '- ',
          '# ',
          'a',
          ' ',
        ),
        fc.string(),
      ),
      {
        maxLength: 30,
      },
    );
    fc.assert(
      fc.property(parts, (p) => {
        const segments = md(p.join(''));
        for (const s of segments) {
          if (s.text === '\n') continue;
          // eslint-disable-next-line no-control-regex
          expect(s.text).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
          expect(s.style).toMatch(/^[0-9;]*$/);
        }
        // Drawn on screen, the only escapes are the renderer's SGR codes.
        for (const row of wrap(segments, 40, 2)) {
          const line = fit(row, 40);
          // eslint-disable-next-line no-control-regex
          expect(line.replace(/\x1b\[[0-9;]*m/g, '')).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
          expect(plain(line).length).toBeGreaterThan(0);
        }
      }),
    );
  });
});
