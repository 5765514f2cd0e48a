import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeHtmlTags, findMentions, mention } from '../../src/content/markdown.ts';

/** `text` with the `<` at each given index replaced by `&lt;`. */
function escapedAt(text: string, ...indexes: number[]): string {
  let out = text;
  for (const index of [...indexes].sort((a, b) => b - a)) {
    expect(out[index]).toBe('<');
    out = `${out.slice(0, index)}&lt;${out.slice(index + 1)}`;
  }
  return out;
}

/** Fragments that make tags, code, links and blocks likely in generated Markdown. */
const markdownish = fc
  .array(
    fc.constantFrom(
      '<',
      '>',
      '<a',
      '<div',
      '</a>',
      '<b>',
      ' b="',
      "'",
      '"',
      ' c=d',
      '=',
      '/>',
      '<!--',
      '-->',
      '<?',
      '?>',
      '<!X',
      '<![CDATA[',
      ']]>',
      '`',
      '``',
      '```',
      '~~~',
      '\n',
      '\n\n',
      ' ',
      '    ',
      '\t',
      '- ',
      '> ',
      '1. ',
      '# ',
      '| ',
      '|---|',
      '[x](',
      '[@y](',
      '](<',
      ')',
      '![',
      '<http://q',
      '<a@b.c>',
      '&lt;',
      '\\',
      'x',
      '*',
      '---',
      ':',
    ),
    { maxLength: 30 },
  )
  .map((parts) => parts.join(''));

describe('escapeHtmlTags', () => {
  it.each([
    ['open tag', '<b>bold</b>', [0, 7]],
    ['open tag with attributes', `<a href="x" title='y' data-z=w _v :u.v-w>`, [0]],
    ['self-closing tag', '<br/> and <br />', [0, 10]],
    ['tag broken over two lines', '<a\nhref="x">link', [0]],
    ['closing tag with whitespace', 'a </a\t> b', [2]],
    ['comment', '<!-- note -- here -->', [0]],
    ['empty comments', '<!--> <!---> <!---->', [0, 6, 13]],
    ['processing instruction', 'x <?php echo 1; ?> y', [2]],
    ['declaration', '<!DOCTYPE html>', [0]],
    ['CDATA section', 'x <![CDATA[ a < b ]]>', [2]],
    ['tag in a heading', '# Title <b>x</b>', [8, 12]],
    ['tag in a block quote', '> quoted <b>x</b>', [9, 13]],
    ['tag in a list item', '- item <i>x</i>', [7, 11]],
    ['tag after an unmatched backtick', 'a ` <b>', [4]],
    ['tag after an escaped backslash', '\\\\<b>', [2]],
  ] as const)('escapes the `<` of %s', (_, input, indexes) => {
    expect(escapeHtmlTags(input)).toBe(escapedAt(input, ...indexes));
  });

  it.each([
    'a < b',
    '<3',
    'x<y',
    'a <= b >= c',
    '<https://example.com>',
    '<mimi://example.com/u/alice>',
    '<a@b.c>',
    '< a>',
    '<a.b>',
    '<1a>',
    '</>',
    '<!>',
    "<a href='x'title=y>", // attributes need whitespace between them
    '<a b="x>',
    '<a\n\nb>', // a blank line ends the paragraph
    'x <? y',
    'x <!-- y',
    '\\<b>',
    '&lt;b>',
  ])('leaves %j alone', (input) => {
    expect(escapeHtmlTags(input)).toBe(input);
  });

  it.each([
    '`<b>`',
    '``a`<b>``',
    'x `` <b> `` y',
    '```\n<b>\n```',
    '```html\n<b>\n```',
    '~~~\n<b>\n```\n<i>\n~~~',
    '````\n<b>\n```\n<i>\n````',
    '```\n<b> never closed',
    '    <b> indented code',
    '> ```\n> <b>\n> ```',
    '- item\n\n  ```\n  <b>\n  ```',
    '[x](y "<b>")',
    '[x](<a b>)',
  ])('leaves code and link destinations alone: %j', (input) => {
    expect(escapeHtmlTags(input)).toBe(input);
  });

  it('escapes again after a fence closes', () => {
    const input = '```\n<b>\n```\n<i>\n~~~~\n<b>\n~~~\n~~~~\n<i>';
    expect(escapeHtmlTags(input)).toBe(escapedAt(input, 12, 34));
  });

  it('handles CRLF line endings', () => {
    const input = '```\r\n<b>\r\n```\r\n<i>';
    expect(escapeHtmlTags(input)).toBe(escapedAt(input, 15));
  });

  it('ends a fence with the list item that holds it', () => {
    const input = '- a\n  ```\n<b>';
    expect(escapeHtmlTags(input)).toBe(escapedAt(input, 10));
  });

  it('tells indented code from list item content after empty items', () => {
    expect(escapeHtmlTags('-\n\n    <b>')).toBe('-\n\n    <b>'); // the item ends; code follows
    const input = '*\n    *\n\n    <b>'; // the outer item holds a list, so it goes on
    expect(escapeHtmlTags(input)).toBe(escapedAt(input, 13));
  });

  it('does not pair a backtick in a link destination with one outside', () => {
    const input = '[x](a`b) <b> `';
    expect(escapeHtmlTags(input)).toBe(escapedAt(input, 9));
  });

  it('splits table cells before looking for code spans', () => {
    const input = '| a | `b | <c>` |\n|---|---|---|';
    expect(escapeHtmlTags(input)).toBe(escapedAt(input, 11));
  });

  it('escapes the `<` that opens an HTML block even without a complete tag', () => {
    expect(escapeHtmlTags('<!-- never closed\n\n<b>')).toBe('&lt;!-- never closed\n\n&lt;b>');
    // Once `<div` is text, the fence below it opens as GFM-MIMI receivers will read it.
    expect(escapeHtmlTags('<div\n```\n<script>x</script>')).toBe(
      '&lt;div\n```\n<script>x</script>',
    );
    expect(escapeHtmlTags('text\n<pre class="x"')).toBe('text\n&lt;pre class="x"');
  });

  it.each([
    '<a b=x<c>',
    '<http://a<b>',
    '<http://a<!--`--><d>`',
    '[x](<a<b>)',
    '[x](<b>c)',
    '<a b="`">` <c> `',
  ])('is idempotent on the tricky %j', (input) => {
    const once = escapeHtmlTags(input);
    expect(escapeHtmlTags(once)).toBe(once);
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(markdownish, (input) => {
        const once = escapeHtmlTags(input);
        expect(escapeHtmlTags(once)).toBe(once);
      }),
      { numRuns: 2000 },
    );
  });

  it('changes nothing but `<` into `&lt;`', () => {
    fc.assert(
      fc.property(fc.oneof(markdownish, fc.string()), (input) => {
        const output = escapeHtmlTags(input);
        expect(output.replaceAll('&lt;', '<')).toBe(input.replaceAll('&lt;', '<'));
      }),
      { numRuns: 1000 },
    );
  });

  it.each([
    ['<a ', 30_000],
    ['<!--', 30_000],
    ['<?', 50_000],
    ['<!a', 30_000],
    ['<![CDATA[', 12_000],
    ['<a b=x', 20_000],
    ['<a b="', 20_000],
    ['<ab:', 30_000],
    ['<a@', 30_000],
    ['a``', 30_000],
    ['[a](', 25_000],
    ['[a](<', 20_000],
    ['[a](b "', 15_000],
    ['[', 100_000],
    ['- ', 50_000],
    ['> ', 50_000],
    ['<a\n', 30_000],
    ['```\n', 25_000],
    ['<div\n', 20_000],
  ])('finishes on hostile input: %j repeated %i times', (unit, times) => {
    const input = unit.repeat(times) + '<b>';
    const output = escapeHtmlTags(input);
    expect(output.length).toBeGreaterThanOrEqual(input.length);
    expect(findMentions(input)).toEqual([]);
  });
});

describe('mention', () => {
  it('writes the draft example', () => {
    expect(mention('Alice Smith', 'mimi://example.com/u/alice-smith')).toBe(
      '[@Alice Smith](mimi://example.com/u/alice-smith)',
    );
  });

  it('does not double a leading @', () => {
    expect(mention('@alice', 'mimi://example.com/u/alice')).toBe(
      '[@alice](mimi://example.com/u/alice)',
    );
  });

  it.each([
    ['*bold*', '[@\\*bold\\*](mimi://x/u/a)'],
    ['a\\b', '[@a\\\\b](mimi://x/u/a)'],
    ['](javascript:alert(1))', '[@\\](javascript:alert(1))](mimi://x/u/a)'],
    ['<b>_x_ ~y~ `z` |w|', '[@\\<b\\>\\_x\\_ \\~y\\~ \\`z\\` \\|w\\|](mimi://x/u/a)'],
    ['Tom &amp; Jerry & co', '[@Tom \\&amp; Jerry & co](mimi://x/u/a)'],
    ['two\nlines\r\n', '[@two lines  ](mimi://x/u/a)'],
  ])('escapes the name %j', (name, expected) => {
    expect(mention(name, 'mimi://x/u/a')).toBe(expected);
  });

  it('percent-encodes what would break the destination', () => {
    expect(mention('a', 'mimi://x/u/a b(c)<d>\\e`f|g\n')).toBe(
      '[@a](mimi://x/u/a%20b%28c%29%3Cd%3E%5Ce%60f%7Cg%0A)',
    );
  });

  it.each(['alice', '//example.com/u/alice', '', '1mimi://x', 'mi mi://x', ':x'])(
    'rejects the URI %j, which has no scheme',
    (uri) => {
      expect(() => mention('a', uri)).toThrow(
        expect.objectContaining({ name: 'ContentError', code: 'CONTENT_INVALID_URI' }),
      );
    },
  );
});

describe('findMentions', () => {
  it('finds the draft example', () => {
    const text = 'Kudos to [@Alice Smith](mimi://example.com/u/alice-smith) for the release!';
    expect(findMentions(text)).toEqual([
      { displayName: 'Alice Smith', uri: 'mimi://example.com/u/alice-smith' },
    ]);
  });

  it('finds mentions in order, with pointy destinations, titles and escapes', () => {
    const text = [
      '[@Bob](<mimi://x/u/bob> "Bob") and',
      '> [@Carol\\_C](mimi://x/u/carol) in a quote',
      '- [@Dan](mimi://x/u/d\\(an\\)) in a list',
      '',
      '| who |',
      '| --- |',
      '| [@Eve](mimi://x/u/eve) |',
    ].join('\n');
    expect(findMentions(text)).toEqual([
      { displayName: 'Bob', uri: 'mimi://x/u/bob' },
      { displayName: 'Carol_C', uri: 'mimi://x/u/carol' },
      { displayName: 'Dan', uri: 'mimi://x/u/d(an)' },
      { displayName: 'Eve', uri: 'mimi://x/u/eve' },
    ]);
  });

  it('finds a mention whose text runs over quoted lines', () => {
    expect(findMentions('> [@Alice\n> Smith](mimi://x/u/a)')).toEqual([
      { displayName: 'Alice\nSmith', uri: 'mimi://x/u/a' },
    ]);
  });

  it.each([
    '[Alice](mimi://x/u/a)',
    '\\[@Alice](mimi://x/u/a)',
    '![@Alice](mimi://x/u/a)',
    '![see [@Alice](mimi://x/u/a)](pic.png)',
    '`[@Alice](mimi://x/u/a)`',
    '```\n[@Alice](mimi://x/u/a)\n```',
    '    [@Alice](mimi://x/u/a)',
    '[@Alice] (mimi://x/u/a)',
    '[@Alice](mimi://x/u/a b)',
    '[@a [b](c)](mimi://x/u/a)',
    '<http://x/[@Alice](mimi://x/u/a)>',
    '[@Alice]: mimi://x/u/a',
  ])('finds no mention in %j', (text) => {
    expect(findMentions(text)).toEqual([]);
  });

  it.each([
    '](javascript:alert(1))',
    '*bold*',
    'a\\b',
    'x](javascript:alert(1)) [@evil](mimi://evil',
  ])('reads back the hostile name %j as one mention', (name) => {
    const text = `Hi ${mention(name, 'mimi://x/u/a')}!`;
    expect(findMentions(text)).toEqual([{ displayName: name, uri: 'mimi://x/u/a' }]);
    expect(findMentions(escapeHtmlTags(text))).toEqual(findMentions(text));
  });

  it('reads back the encoded form of a URI that needed encoding', () => {
    const text = mention('a', 'mimi://x/u/a b&amp;c');
    expect(findMentions(text)).toEqual([{ displayName: 'a', uri: 'mimi://x/u/a%20b&amp;c' }]);
  });

  const names = fc.oneof(
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.string({
      unit: fc.constantFrom(
        '@',
        '[',
        ']',
        '(',
        ')',
        '\\',
        '`',
        '*',
        '_',
        '<',
        '>',
        '!',
        '&',
        ';',
        '#',
        '|',
        '~',
        '\n',
        ' ',
        'a',
      ),
    }),
  );
  const uris = fc
    .tuple(
      fc.constantFrom('mimi', 'https', 'im', 'a+b.c-d'),
      fc.string({ unit: fc.constantFrom(...Array.from("abcXYZ019-._~:/?#[]@!$&'*+,;=%")) }),
    )
    .map(([scheme, rest]) => `${scheme}:${rest}`);
  /** What findMentions gives back for a name: one leading `@` dropped, controls as spaces. */
  const readBack = (name: string): string =>
    Array.from(name.replace(/^@/, ''), (char) => {
      const c = char.charCodeAt(0);
      return c < 0x20 || c === 0x7f ? ' ' : char;
    }).join('');

  it('round-trips any name and any URI that needs no encoding', () => {
    fc.assert(
      fc.property(names, uris, (name, uri) => {
        expect(findMentions(mention(name, uri))).toEqual([{ displayName: readBack(name), uri }]);
      }),
      { numRuns: 1000 },
    );
  });

  it('round-trips several mentions in running text, escaped or not', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(names, uris), { maxLength: 5 }), (people) => {
        const text = people.map(([name, uri]) => `see ${mention(name, uri)},`).join(' ');
        const expected = people.map(([name, uri]) => ({ displayName: readBack(name), uri }));
        expect(findMentions(text)).toEqual(expected);
        expect(escapeHtmlTags(text)).toBe(text);
      }),
      { numRuns: 300 },
    );
  });
});
