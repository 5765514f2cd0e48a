/**
 * Names and other short text that members choose for themselves (display names, device names)
 * are shown by every member's UI, so they are cleaned where they enter: nothing that moves a
 * terminal's cursor, recolours a screen or reorders text may come through.
 */

/** Bidi controls: embeddings, overrides, isolates and marks that reorder what follows them. */
const BIDI = new Set([
  0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069,
]);
/** Invisible characters that make two names look alike (the zero-width joiner stays: emoji). */
const INVISIBLE = new Set([0x00ad, 0x180e, 0x200b, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0xfeff]);

function isControl(code: number): boolean {
  return code < 0x20 || (code >= 0x7f && code < 0xa0);
}

function isLineBreakLike(code: number): boolean {
  return code === 0x2028 || code === 0x2029 || code === 0x85;
}

/**
 * `text` made safe to show as a name: NFC; control characters (escape sequences included) and
 * line or paragraph separators become spaces; bidi controls, invisible characters and lone
 * surrogates are dropped; runs of white space become one space; trimmed; cut to `maxChars`
 * code points (never inside a surrogate pair).
 */
export function cleanDisplayText(text: string, maxChars: number): string {
  let out = '';
  let count = 0;
  let space = false;
  for (const ch of text.normalize('NFC')) {
    const code = ch.codePointAt(0) ?? 0;
    if (code >= 0xd800 && code <= 0xdfff) continue;
    if (BIDI.has(code) || INVISIBLE.has(code)) continue;
    if (isControl(code) || isLineBreakLike(code) || /\s/u.test(ch)) {
      space = out !== '';
      continue;
    }
    if (space) {
      if (count + 2 > maxChars) break;
      out += ' ';
      count++;
      space = false;
    }
    if (count + 1 > maxChars) break;
    out += ch;
    count++;
  }
  return out;
}
