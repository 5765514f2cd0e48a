/** Character codes and character tests shared by the Markdown scanners (markdown-*.ts). */

export const TAB = 0x09;
export const LF = 0x0a;
export const CR = 0x0d;
export const SPACE = 0x20;
export const BANG = 0x21;
export const QUOTE = 0x22;
export const HASH = 0x23;
export const APOSTROPHE = 0x27;
export const OPEN_PAREN = 0x28;
export const CLOSE_PAREN = 0x29;
export const STAR = 0x2a;
export const PLUS = 0x2b;
export const HYPHEN = 0x2d;
export const DOT = 0x2e;
export const SLASH = 0x2f;
export const COLON = 0x3a;
export const LT = 0x3c;
export const EQUALS = 0x3d;
export const GT = 0x3e;
export const QUESTION = 0x3f;
export const AT = 0x40;
export const OPEN_BRACKET = 0x5b;
export const BACKSLASH = 0x5c;
export const CLOSE_BRACKET = 0x5d;
export const UNDERSCORE = 0x5f;
export const BACKTICK = 0x60;
export const PIPE = 0x7c;
export const TILDE = 0x7e;
export const DEL = 0x7f;

export const isSpaceOrTab = (c: number): boolean => c === SPACE || c === TAB;
export const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;

/** The number of `char` characters in a row from `from`, stopping at `end`. */
export function runLength(text: string, from: number, end: number, char: number): number {
  let p = from;
  while (p < end && text.charCodeAt(p) === char) p++;
  return p - from;
}

/** The number of characters in a row from `from` that pass `test`, stopping at `end`. */
export function runLengthOf(
  text: string,
  from: number,
  end: number,
  test: (c: number) => boolean,
): number {
  let p = from;
  while (p < end && test(text.charCodeAt(p))) p++;
  return p - from;
}
