import type { Composer } from './editor.ts';

/** What Tab can complete the word before the cursor from. */
export interface CompletionSources {
  /** Slash-command names, without the slash. */
  readonly commands: readonly string[];
  /** Rooms in the list's order: `/room` takes the number, completed from the name. */
  readonly rooms: readonly string[];
  /** Display names of the current room's members, for `@mentions`. */
  readonly members: readonly string[];
  /** Contacts' display names, for commands that take a user. */
  readonly contacts: readonly string[];
}

export interface Completion {
  readonly composer: Composer;
  /** When several match: the choices, for the notice line. */
  readonly choices: readonly string[];
}

/** Commands whose first argument is a user (a contact's name completes it). */
const USER_COMMANDS = new Set([
  'dm',
  'invite',
  'remove',
  'ban',
  'unban',
  'block',
  'unblock',
  'role',
  'new',
]);
const ROOM_COMMANDS = new Set(['room', 'join']);

/**
 * Tab on the word before the cursor: a command after `/`, a member after `@`, a room's number
 * after `/room`, a contact after a command that takes a user. One match is filled in (with a
 * space after it); several fill in what they share and are listed; none changes nothing.
 */
export function complete(c: Composer, sources: CompletionSources): Completion {
  const before = c.text.slice(0, c.cursor);
  const start = Math.max(before.lastIndexOf(' '), before.lastIndexOf('\n')) + 1;
  const word = before.slice(start);
  const command = /^\/(\S+)\s/.exec(before)?.[1]?.toLowerCase();
  let candidates: { shown: string; insert: string }[];
  let typed: string;
  if (start === 0 && word.startsWith('/')) {
    typed = word.slice(1);
    candidates = sources.commands.map((name) => ({ shown: `/${name}`, insert: `/${name}` }));
  } else if (word.startsWith('@')) {
    typed = word.slice(1);
    candidates = sources.members.map((name) => ({ shown: `@${name}`, insert: `@${name}` }));
  } else if (command !== undefined && ROOM_COMMANDS.has(command)) {
    typed = word;
    candidates = sources.rooms.map((name, i) => ({
      shown: `${i + 1} ${name}`,
      insert: `${i + 1}`,
    }));
  } else if (command !== undefined && USER_COMMANDS.has(command)) {
    typed = word;
    candidates = sources.contacts.map((name) => ({ shown: name, insert: quoted(name) }));
  } else {
    return { composer: c, choices: [] };
  }
  const lower = typed.toLowerCase();
  const matches = candidates.filter(({ shown, insert }) => {
    const name = shown.replace(/^[/@]|^\d+ /, '').toLowerCase();
    return name.startsWith(lower) || insert.toLowerCase().startsWith(lower);
  });
  const only = matches.length === 1 ? matches[0] : undefined;
  if (only !== undefined) return { composer: replace(c, start, `${only.insert} `), choices: [] };
  if (matches.length === 0) return { composer: c, choices: [] };
  // What every match shares beyond what is typed (names, not room numbers).
  const shared = commonPrefix(matches.map((m) => m.insert));
  const composer = shared.length > word.length ? replace(c, start, shared) : c;
  return { composer, choices: matches.map((m) => m.shown) };
}

function replace(c: Composer, start: number, text: string): Composer {
  return {
    text: c.text.slice(0, start) + text + c.text.slice(c.cursor),
    cursor: start + text.length,
  };
}

function quoted(name: string): string {
  return /\s/.test(name) ? `"${name}"` : name;
}

function commonPrefix(words: readonly string[]): string {
  let prefix = words[0] ?? '';
  for (const w of words) {
    let i = 0;
    while (i < prefix.length && i < w.length && prefix[i]?.toLowerCase() === w[i]?.toLowerCase())
      i++;
    prefix = prefix.slice(0, i);
  }
  return prefix;
}
