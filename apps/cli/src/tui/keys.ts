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
 * Splits what the terminal sent into keys. Printable runs stay together as one `text` key;
 * a bracketed paste is one `paste` key whatever it holds. A sequence cut between two reads is
 * rare on a local terminal and is read as its parts.
 */
export function parseKeys(data: string): Key[] {
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
      const stop = end === -1 ? data.length : end;
      keys.push({ name: 'paste', text: data.slice(i + PASTE_START.length, stop) });
      i = end === -1 ? data.length : end + PASTE_END.length;
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
  return keys;
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
