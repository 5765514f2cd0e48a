import { describe, expect, it } from 'vitest';
import { isSafeHref, parseInline, parseMarkdown, plainText } from '../src/model/markdown.ts';

describe('Markdown as data', () => {
  it('parses the common constructs', () => {
    expect(parseInline('**b** *i* ~~s~~ `c` [l](https://x.org/a) https://y.org.')).toEqual([
      { t: 'strong', c: [{ t: 'text', v: 'b' }] },
      { t: 'text', v: ' ' },
      { t: 'em', c: [{ t: 'text', v: 'i' }] },
      { t: 'text', v: ' ' },
      { t: 'del', c: [{ t: 'text', v: 's' }] },
      { t: 'text', v: ' ' },
      { t: 'code', v: 'c' },
      { t: 'text', v: ' ' },
      { t: 'link', href: 'https://x.org/a', c: [{ t: 'text', v: 'l' }] },
      { t: 'text', v: ' ' },
      { t: 'link', href: 'https://y.org', c: [{ t: 'text', v: 'https://y.org' }] },
      { t: 'text', v: '.' },
    ]);
    expect(parseMarkdown('# T\n\n> q\n\n- a\n- b\n\n```\n<b>x</b>\n```').map((b) => b.t)).toEqual([
      'h',
      'quote',
      'list',
      'pre',
    ]);
    expect(parseMarkdown('```\n<b>x</b>\n```')).toEqual([{ t: 'pre', v: '<b>x</b>' }]);
    expect(parseInline('a snake_case_name and x__proto__ = __b__')).toEqual([
      { t: 'text', v: 'a snake_case_name and x__proto__ = ' },
      { t: 'strong', c: [{ t: 'text', v: 'b' }] },
    ]);
  });

  it('keeps raw HTML, unsafe links and images as inert text', () => {
    const hostile = [
      '<img src=x onerror=alert(1)>',
      '[a](javascript:alert(1))',
      '[a](JaVaScRiPt:alert(1))',
      '[a](java\tscript:alert(1))',
      '[a](data:text/html,<script>alert(1)</script>)',
      '<javascript:alert(1)>',
      '![i](https://tracker.example/pixel.png)',
      '<a href="https://x.org">x</a>',
    ];
    for (const text of hostile) {
      const json = JSON.stringify(parseMarkdown(text));
      expect(json, text).not.toMatch(/"href":"(?!https:\/\/tracker)/);
    }
    // The image is a link (no request from the page), never an image.
    expect(JSON.stringify(parseMarkdown('![i](https://t.example/p.png)'))).toContain('🖼 i');
    expect(plainText(parseInline('<b>x</b>'))).toBe('<b>x</b>');
    // What senders put on the wire (`<` of a tag escaped) shows as the person wrote it.
    expect(parseInline('&lt;img src=x onerror=alert(1)> &#60;b&#x3e; &amp;lt; &bogus;')).toEqual([
      { t: 'text', v: '<img src=x onerror=alert(1)> <b> &lt; &bogus;' },
    ]);
    expect(isSafeHref('https://ok.org')).toBe(true);
    for (const bad of ['javascript:x', ' https://x', 'vbscript:x', 'file:///etc', '//x.org'])
      expect(isSafeHref(bad), bad).toBe(false);
  });

  it('stays fast on hostile runs of openers', () => {
    const text = '*'.repeat(20_000) + '[('.repeat(10_000) + '`'.repeat(5000) + '**a'.repeat(5000);
    // A quadratic parser takes minutes here, and the test times out.
    expect(plainText(parseInline(text))).toContain('a');
  });
});
