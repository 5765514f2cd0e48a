/** One key press (or one paste) read from a terminal in raw mode. */
export type Key =
  | { readonly name: 'text'; readonly text: string }
  | { readonly name: 'paste'; readonly text: string }
  | { readonly name: NamedKey };

type NamedKey =
  | 'enter'
  | 'alt-enter'
  | 'backspace'
  | 'delete'
  | 'tab'
  | 'shift-tab'
  | 'escape'
  | 'up'
  | 'down'
  | 'left'
  | 'right'
  | 'alt-up'
  | 'alt-down'
  | 'home'
  | 'end'
  | 'page-up'
  | 'page-down'
  | 'word-left'
  | 'word-right'
  | 'ctrl-a'
  | 'ctrl-c'
  | 'ctrl-d'
  | 'ctrl-e'
  | 'ctrl-k'
  | 'ctrl-l'
  | 'ctrl-n'
  | 'ctrl-p'
  | 'ctrl-u'
  | 'ctrl-w'
  | 'unknown';

const CONTROL: Readonly<Record<string, NamedKey>> = {
  '\r': 'enter',
  '\n': 'enter',
  '\x7f': 'backspace',
  '\b': 'backspace',
  '\t': 'tab',
  '\x01': 'ctrl-a',
  '\x03': 'ctrl-c',
  '\x04': 'ctrl-d',
  '\x05': 'ctrl-e',
  '\x0b': 'ctrl-k',
  '\x0c': 'ctrl-l',
  '\x0e': 'ctrl-n',
  '\x10': 'ctrl-p',
  '\x15': 'ctrl-u',
  '\x17': 'ctrl-w',
};

/** Escape sequences xterm, VTE, tmux and the Linux console send (CSI and SS3 forms). */
const SEQUENCES: Readonly<Record<string, NamedKey>> = {
  '[A': 'up',
  '[B': 'down',
  '[C': 'right',
  '[D': 'left',
  OA: 'up',
  OB: 'down',
  OC: 'right',
  OD: 'left',
  '[H': 'home',
  '[F': 'end',
  OH: 'home',
  OF: 'end',
  '[1~': 'home',
  '[4~': 'end',
  '[7~': 'home',
  '[8~': 'end',
  '[3~': 'delete',
  '[5~': 'page-up',
  '[6~': 'page-down',
  '[Z': 'shift-tab',
  '[1;3A': 'alt-up',
  '[1;3B': 'alt-down',
  '[1;9A': 'alt-up',
  '[1;9B': 'alt-down',
  '[1;5C': 'word-right',
  '[1;5D': 'word-left',
  '[1;3C': 'word-right',
  '[1;3D': 'word-left',
};

const PASTE_START = '\x1b[200~';
const PASTE_END = '\x1b[201~';

/**
 * Splits what the terminal sent in one read into keys. Printable runs stay together as one
 * `text` key; a bracketed paste is one `paste` key whatever it holds (one not closed in this
 * read is taken as it is: `KeyReader` waits for the rest). A key's escape sequence cut between
 * two reads is rare on a local terminal and is read as its parts.
 */
export function parseKeys(data: string): Key[] {
  const { keys, openPaste } = split(data);
  return openPaste === undefined ? keys : [...keys, { name: 'paste', text: openPaste }];
}

/**
 * Keys from a terminal read after read. A large paste arrives in several reads: its lines
 * must not be taken for keys (each newline an Enter, sending a message), so a paste stays one
 * key until its end marker comes, whichever read brings it. What it holds beyond `maxPaste`
 * characters is dropped as it comes (the composer holds less anyway).
 */
export class KeyReader {
  readonly #maxPaste: number;
  /** The paste read so far, while its end marker has not come. */
  #paste: string | undefined;
  /** The end of the last read, when it may begin a paste's start or end marker. */
  #held = '';

  constructor(maxPaste: number) {
    this.#maxPaste = maxPaste;
  }

  read(data: string): Key[] {
    let rest = this.#held + data;
    this.#held = '';
    const keys: Key[] = [];
    if (this.#paste !== undefined) {
      const end = rest.indexOf(PASTE_END);
      if (end === -1) {
        this.#continuePaste(rest);
        return keys;
      }
      keys.push({ name: 'paste', text: this.#bounded(this.#paste + rest.slice(0, end)) });
      this.#paste = undefined;
      rest = rest.slice(end + PASTE_END.length);
    }
    // A paste's start marker cut by the read (a lone ESC is the Esc key, and is not held).
    const start = startCut(rest);
    if (start > 0) {
      this.#held = rest.slice(rest.length - start);
      rest = rest.slice(0, rest.length - start);
    }
    const parsed = split(rest);
    keys.push(...parsed.keys);
    if (parsed.openPaste !== undefined) {
      // Inside a paste what was held is the paste's text (maybe the start of its end marker).
      const inside = parsed.openPaste + this.#held;
      this.#paste = '';
      this.#continuePaste(inside);
    }
    return keys;
  }

  /** Adds `text` to the open paste, holding back a tail that may begin its end marker. */
  #continuePaste(text: string): void {
    let held = 0;
    for (let n = Math.min(PASTE_END.length - 1, text.length); n > 0; n--) {
      if (PASTE_END.startsWith(text.slice(text.length - n))) {
        held = n;
        break;
      }
    }
    this.#held = text.slice(text.length - held);
    this.#paste = this.#bounded((this.#paste ?? '') + text.slice(0, text.length - held));
  }

  #bounded(text: string): string {
    return text.length > this.#maxPaste ? text.slice(0, this.#maxPaste) : text;
  }
}

/** How many characters at the end of `text` begin a paste's start marker (2 or more). */
function startCut(text: string): number {
  for (let n = Math.min(PASTE_START.length - 1, text.length); n >= 2; n--) {
    if (PASTE_START.startsWith(text.slice(text.length - n))) return n;
  }
  return 0;
}

/** The keys of one read, and the text of a paste it opened without closing. */
function split(data: string): { keys: Key[]; openPaste?: string } {
  const keys: Key[] = [];
  let i = 0;
  let text = '';
  const flush = (): void => {
    if (text !== '') keys.push({ name: 'text', text });
    text = '';
  };
  while (i < data.length) {
    if (data.startsWith(PASTE_START, i)) {
      flush();
      const end = data.indexOf(PASTE_END, i + PASTE_START.length);
      if (end === -1) return { keys, openPaste: data.slice(i + PASTE_START.length) };
      keys.push({ name: 'paste', text: data.slice(i + PASTE_START.length, end) });
      i = end + PASTE_END.length;
      continue;
    }
    const ch = data[i] ?? '';
    if (ch === '\x1b') {
      flush();
      const [key, length] = escapeAt(data, i);
      keys.push({ name: key });
      i += length;
      continue;
    }
    const control = CONTROL[ch];
    if (control !== undefined) {
      flush();
      keys.push({ name: control });
      // A terminal may send CR LF for Enter: one key.
      i += ch === '\r' && data[i + 1] === '\n' ? 2 : 1;
      continue;
    }
    if (ch < ' ') {
      flush();
      keys.push({ name: 'unknown' });
    } else {
      text += ch;
    }
    i++;
  }
  flush();
  return { keys };
}

/** The key an escape sequence at `i` stands for, and how many characters it takes. */
function escapeAt(data: string, i: number): [NamedKey, number] {
  const next = data[i + 1];
  if (next === undefined) return ['escape', 1];
  // Alt plus an arrow sent as ESC before the arrow's own sequence (some terminals, macOS).
  if (next === '\x1b') {
    const [inner, length] = escapeAt(data, i + 1);
    if (inner === 'up') return ['alt-up', 1 + length];
    if (inner === 'down') return ['alt-down', 1 + length];
    return ['escape', 1];
  }
  if (next === '[' || next === 'O') {
    // A CSI sequence runs to its final byte (@ to ~); SS3 is one more character.
    let end = i + 2;
    if (next === '[') {
      while (end < data.length && !/[@-~]/.test(data[end] ?? '')) end++;
    }
    const body = data.slice(i + 1, end + 1);
    return [SEQUENCES[body] ?? 'unknown', body.length + 1];
  }
  // Alt-Enter (ESC before the Enter key): a new line in the composer.
  if (next === '\r' || next === '\n') {
    return ['alt-enter', data[i + 2] === '\n' && next === '\r' ? 3 : 2];
  }
  // Esc typed just before another key arrives in the same read: Esc, then that key as itself.
  return ['escape', 1];
}
