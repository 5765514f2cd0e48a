/**
 * Scanners for the Markdown constructs that begin with `<`: raw HTML (GFM spec §6.10, with the
 * comment rule of current CommonMark), autolinks (§6.9) and HTML block starts (§4.6). They back
 * the "No HTML" rule of GFM-MIMI in markdown.ts, which explains how they are combined.
 *
 * Every scanner is bounded: repeated searches for a terminator (`-->`, a closing quote, ...) are
 * cached, and open-tag attribute lists are memoised, so hostile input such as `'<a '.repeat(n)`
 * or `'<!--'.repeat(n)` is scanned in roughly linear time.
 */
import {
  APOSTROPHE,
  AT,
  BACKSLASH,
  BACKTICK,
  BANG,
  COLON,
  CR,
  DEL,
  DOT,
  EQUALS,
  GT,
  HYPHEN,
  LF,
  LT,
  PLUS,
  QUESTION,
  QUOTE,
  SLASH,
  SPACE,
  TAB,
  UNDERSCORE,
  isDigit,
  isSpaceOrTab,
} from './markdown-chars.ts';

const isLetter = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const isAlphanumeric = (c: number): boolean => isLetter(c) || isDigit(c);
const isControlOrSpace = (c: number): boolean => c <= SPACE || c === DEL;

const isTagNameChar = (c: number): boolean => isAlphanumeric(c) || c === HYPHEN;
const isAttributeNameStart = (c: number): boolean => isLetter(c) || c === UNDERSCORE || c === COLON;
const isAttributeNameChar = (c: number): boolean =>
  isAttributeNameStart(c) || isDigit(c) || c === DOT || c === HYPHEN;
const isSchemeChar = (c: number): boolean =>
  isAlphanumeric(c) || c === PLUS || c === DOT || c === HYPHEN;
// CommonMark's email autolink local part: [a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]
const EMAIL_LOCAL_PUNCTUATION = new Set(Array.from("!#$%&'*+/=?^_`{|}~.-", (c) => c.charCodeAt(0)));
const isEmailLocalChar = (c: number): boolean =>
  isAlphanumeric(c) || EMAIL_LOCAL_PUNCTUATION.has(c);

/**
 * An unquoted attribute value character. GFM excludes `<` as well; it is allowed here on purpose:
 * escaping turns a `<` into `&lt;`, whose characters are all allowed, so `<a b=x<c>` becomes the
 * tag `<a b=x&lt;c>` once `<c>` is escaped. Accepting `<` up front keeps escapeHtmlTags idempotent
 * (it only ever escapes more, and escaping a `<` that is not a tag changes nothing visible).
 */
const isUnquotedValueChar = (c: number): boolean =>
  c !== SPACE &&
  c !== TAB &&
  c !== LF &&
  c !== CR &&
  c !== QUOTE &&
  c !== APOSTROPHE &&
  c !== EQUALS &&
  c !== GT &&
  c !== BACKTICK;

/**
 * Skips spaces and tabs with at most one line ending among them (GFM's whitespace in tags and
 * link tails). `tabs: false` skips spaces only, as some parsers do in link tails.
 */
export function skipSpace(text: string, from: number, tabs = true): number {
  const end = text.length;
  const blank = (p: number): boolean =>
    p < end && (text.charCodeAt(p) === SPACE || (tabs && text.charCodeAt(p) === TAB));
  let p = from;
  while (blank(p)) p++;
  if (p < end && text.charCodeAt(p) === CR) {
    p++;
    if (p < end && text.charCodeAt(p) === LF) p++;
  } else if (p < end && text.charCodeAt(p) === LF) {
    p++;
  }
  while (blank(p)) p++;
  return p;
}

/** First match at or after `from`, remembering the last answer for the (mostly rising) callers. */
function cachedSearch(locate: (from: number) => number): (from: number) => number {
  let cachedFrom = -1;
  let cachedAt = -1;
  return (from) => {
    if (cachedFrom !== -1 && from >= cachedFrom && (cachedAt === -1 || from <= cachedAt)) {
      return cachedAt;
    }
    cachedFrom = from;
    cachedAt = locate(from);
    return cachedAt;
  };
}

export interface AngleScanner {
  /**
   * End of the raw HTML tag (GFM §6.10) starting at `i`, or -1. Unquoted attribute values may
   * contain `<` here (see isUnquotedValueChar).
   */
  readonly htmlTag: (i: number) => number;
  /** End of the autolink (`<scheme:...>` or `<local@domain>`) starting at `i`, or -1. */
  readonly autolink: (i: number) => number;
  /**
   * Whether `i` would start a URI autolink if the `<`s in its body were escaped, as in
   * `<http://a<b>`. escapeHtmlTags escapes such a `<` so that escaping `<b>` later cannot turn
   * the text before it into an autolink.
   */
  readonly looseAutolink: (i: number) => boolean;
  /**
   * The first `>` that no backslash escapes, or line ending, at or after `from` (-1 if none).
   * Unlike CommonMark, a `<` does not stop it: see linkTail in markdown-inline.ts.
   */
  readonly pointyDestinationEnd: (from: number) => number;
}

/** Scanners over one text (a run of inline content); they share caches over that text. */
export function createAngleScanner(text: string): AngleScanner {
  const end = text.length;
  const code = (p: number): number => text.charCodeAt(p);
  const searches = new Map<string, (from: number) => number>();
  const find = (needle: string, from: number): number => {
    let search = searches.get(needle);
    if (search === undefined) {
      search = cachedSearch((start) => text.indexOf(needle, start));
      searches.set(needle, search);
    }
    return search(from);
  };
  /** End of the first `needle` at or after `from`, or -1. */
  const through = (needle: string, from: number): number => {
    const at = find(needle, from);
    return at === -1 ? -1 : at + needle.length;
  };
  const nextUriStop = cachedSearch((start) => {
    let p = start;
    while (p < end && code(p) !== GT && !isControlOrSpace(code(p))) p++;
    return p < end ? p : -1;
  });

  // "After a tag name or an attribute" always continues the same way, whichever `<` we started
  // from, so the outcome from each such position is remembered.
  const openTagRest = new Map<number, number>();

  function attribute(nameStart: number): number {
    let p = nameStart + 1;
    while (p < end && isAttributeNameChar(code(p))) p++;
    const equals = skipSpace(text, p);
    if (equals >= end || code(equals) !== EQUALS) return p;
    const value = skipSpace(text, equals + 1);
    if (value >= end) return -1;
    const quote = code(value);
    if (quote === QUOTE || quote === APOSTROPHE) {
      return through(String.fromCharCode(quote), value + 1);
    }
    let q = value;
    while (q < end && isUnquotedValueChar(code(q))) q++;
    return q > value ? q : -1;
  }

  function restOfOpenTag(from: number): number {
    const visited: number[] = [];
    let p = from;
    let result: number;
    for (;;) {
      const known = openTagRest.get(p);
      if (known !== undefined) {
        result = known;
        break;
      }
      visited.push(p);
      const q = skipSpace(text, p);
      if (q > p && q < end && isAttributeNameStart(code(q))) {
        const next = attribute(q);
        if (next === -1) {
          result = -1;
          break;
        }
        p = next;
        continue;
      }
      const close = q < end && code(q) === SLASH ? q + 1 : q;
      result = close < end && code(close) === GT ? close + 1 : -1;
      break;
    }
    for (const position of visited) openTagRest.set(position, result);
    return result;
  }

  function tagName(from: number): number {
    if (from >= end || !isLetter(code(from))) return -1;
    let p = from + 1;
    while (p < end && isTagNameChar(code(p))) p++;
    return p;
  }

  function htmlTag(i: number): number {
    const next = code(i + 1);
    if (isLetter(next)) {
      const name = tagName(i + 1);
      return restOfOpenTag(name);
    }
    if (next === SLASH) {
      const name = tagName(i + 2);
      if (name === -1) return -1;
      const close = skipSpace(text, name);
      return close < end && code(close) === GT ? close + 1 : -1;
    }
    if (next === QUESTION) return through('?>', i + 2);
    if (next !== BANG) return -1;
    if (text.startsWith('<!--', i)) {
      // Current CommonMark: `<!-->` and `<!--->` are complete comments.
      if (text.startsWith('<!-->', i)) return i + 5;
      if (text.startsWith('<!--->', i)) return i + 6;
      return through('-->', i + 4);
    }
    if (text.startsWith('<![CDATA[', i)) return through(']]>', i + 9);
    if (isLetter(code(i + 2))) return through('>', i + 3);
    return -1;
  }

  /** End of the scheme and colon of a URI autolink starting at `i`, or -1. */
  function schemeEnd(i: number): number {
    const start = i + 1;
    if (start >= end || !isLetter(code(start))) return -1;
    let p = start + 1;
    while (p < end && p - start <= 32 && isSchemeChar(code(p))) p++;
    const length = p - start;
    return length >= 2 && length <= 32 && p < end && code(p) === COLON ? p + 1 : -1;
  }

  function emailAutolink(i: number): number {
    let p = i + 1;
    while (p < end && isEmailLocalChar(code(p))) p++;
    if (p === i + 1 || p >= end || code(p) !== AT) return -1;
    p++;
    for (;;) {
      // A label: alphanumeric, then up to 62 alphanumerics or hyphens, not ending in a hyphen.
      const label = p;
      if (p >= end || !isAlphanumeric(code(p))) return -1;
      p++;
      while (p < end && p - label < 63 && (isAlphanumeric(code(p)) || code(p) === HYPHEN)) p++;
      if (code(p - 1) === HYPHEN) return -1;
      if (p < end && code(p) === DOT) {
        p++;
        continue;
      }
      return p < end && code(p) === GT ? p + 1 : -1;
    }
  }

  function autolink(i: number): number {
    const body = schemeEnd(i);
    if (body !== -1) {
      let p = body;
      while (p < end && code(p) !== LT && code(p) !== GT && !isControlOrSpace(code(p))) p++;
      if (p < end && code(p) === GT) return p + 1;
    }
    return emailAutolink(i);
  }

  function looseAutolink(i: number): boolean {
    const body = schemeEnd(i);
    if (body === -1) return false;
    const stop = nextUriStop(body);
    return stop !== -1 && code(stop) === GT;
  }

  // A `>` is escaped by an odd run of backslashes before it; a scan that starts after a `<`
  // always sees such runs whole, so the answer does not depend on where the scan started.
  const pointyDestinationEnd = cachedSearch((start) => {
    for (let p = start; p < end; p++) {
      const c = code(p);
      if (c === LF || c === CR) return p;
      if (c === GT) {
        let backslashes = 0;
        while (p - backslashes - 1 >= start && code(p - backslashes - 1) === BACKSLASH)
          backslashes++;
        if (backslashes % 2 === 0) return p;
      }
    }
    return -1;
  });

  return { htmlTag, autolink, looseAutolink, pointyDestinationEnd };
}

// HTML block start conditions 1 and 6 (GFM §4.6). The type 6 list is the union of GFM 0.29 and
// CommonMark 0.31 (which swapped `source` for `search`): escaping one more `<` is harmless.
const RAW_TEXT_TAGS = new Set(['pre', 'script', 'style', 'textarea']);
const BLOCK_TAGS = new Set(
  (
    'address article aside base basefont blockquote body caption center col colgroup dd details ' +
    'dialog dir div dl dt fieldset figcaption figure footer form frame frameset h1 h2 h3 h4 h5 h6 ' +
    'head header hr html iframe legend li link main menu menuitem nav noframes ol optgroup option ' +
    'p param search section source summary table tbody td tfoot th thead title tr track ul'
  ).split(' '),
);

/**
 * Whether the `<` at `i` opens an HTML block of type 1 to 6 (type 7 is a complete tag, which the
 * inline rule already catches). `lineEnd` is where the line's content ends.
 */
export function startsHtmlBlock(text: string, i: number, lineEnd: number): boolean {
  const at = (p: number): number => (p < lineEnd ? text.charCodeAt(p) : -1);
  if (at(i + 1) === QUESTION) return true;
  if (at(i + 1) === BANG) {
    return (
      (text.startsWith('<!--', i) && i + 4 <= lineEnd) ||
      (text.startsWith('<![CDATA[', i) && i + 9 <= lineEnd) ||
      isLetter(at(i + 2))
    );
  }
  const closing = at(i + 1) === SLASH;
  const nameStart = closing ? i + 2 : i + 1;
  let p = nameStart;
  while (isAlphanumeric(at(p))) p++;
  const name = text.slice(nameStart, p).toLowerCase();
  const after = at(p);
  const ends = after === -1 || isSpaceOrTab(after) || after === GT;
  if (!closing && RAW_TEXT_TAGS.has(name) && ends) return true;
  return BLOCK_TAGS.has(name) && (ends || (after === SLASH && at(p + 1) === GT));
}
