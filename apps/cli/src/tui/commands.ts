import { expireSpec, parseDuration } from './expire-command.ts';
import { exportSpec } from './export-command.ts';
import { fileSpecs } from './file-commands.ts';
import { notifySpecs } from './notify-command.ts';
import { searchSpec } from './search-command.ts';
import { verifySpec } from './verify-command.ts';
import { deviceSpecs } from './device-commands.ts';
import { signalSpec } from './signal-commands.ts';

/** What a line typed in the composer asks for. */
export type Command =
  | { readonly kind: 'send'; readonly text: string }
  | { readonly kind: 'help' | 'link' | 'contacts' | 'members' | 'leave' | 'quit' }
  | { readonly kind: 'add'; readonly contactLink: string }
  | { readonly kind: 'new'; readonly name: string; readonly users: readonly string[] }
  | { readonly kind: 'dm' | 'invite' | 'remove' | 'ban' | 'unban'; readonly user: string }
  | { readonly kind: 'block' | 'unblock'; readonly user: string }
  | { readonly kind: 'blocked' }
  | { readonly kind: 'invites'; readonly policy: string | undefined }
  | { readonly kind: 'role'; readonly user: string; readonly role: string }
  | { readonly kind: 'name' | 'nick'; readonly name: string }
  | { readonly kind: 'topic'; readonly topic: string }
  | { readonly kind: 'roomAvatar'; readonly avatar: string | null }
  | { readonly kind: 'shareHistory'; readonly history: 'all' | 'since-joined' }
  | { readonly kind: 'reply' | 'edit'; readonly n: number; readonly text: string }
  | { readonly kind: 'delete'; readonly n: number }
  | { readonly kind: 'react' | 'unreact'; readonly n: number; readonly emoji: string }
  | { readonly kind: 'room'; readonly n: number }
  | { readonly kind: 'thread'; readonly n: number | undefined }
  | { readonly kind: 'threads' }
  | { readonly kind: 'history'; readonly n: number }
  | { readonly kind: 'expire'; readonly ms: number | undefined; readonly off: boolean }
  | { readonly kind: 'disappear'; readonly ms: number | null }
  | { readonly kind: 'export'; readonly path: string }
  | { readonly kind: 'search'; readonly text: string }
  | {
      readonly kind: 'sendFile';
      readonly path: string;
      readonly caption: string;
      readonly voice: boolean;
    }
  | { readonly kind: 'save'; readonly n: number; readonly path: string | undefined }
  | { readonly kind: 'play'; readonly n: number }
  | { readonly kind: 'transfers' }
  | { readonly kind: 'avatar'; readonly path: string; readonly room: boolean }
  | { readonly kind: 'cancelTransfer'; readonly id: number }
  | { readonly kind: 'verify'; readonly user: string; readonly mark: boolean | undefined }
  | { readonly kind: 'notify'; readonly on: boolean | undefined }
  | { readonly kind: 'mute'; readonly muted: boolean }
  | { readonly kind: 'devices' }
  | { readonly kind: 'linkDevice'; readonly answer: 'yes' | 'no' | undefined }
  | { readonly kind: 'revoke'; readonly device: string }
  | {
      readonly kind: 'signal';
      readonly signal: 'receipts' | 'typing' | 'presence';
      readonly on: boolean | undefined;
    };

export type Parsed =
  | { readonly ok: true; readonly command: Command }
  | { readonly ok: false; readonly error: string }
  /** A blank line: nothing to do. */
  | { readonly ok: 'empty' };

interface Spec {
  readonly usage: string;
  readonly summary: string;
  /** Builds the command from the words after the name and the raw rest of the line. */
  readonly parse: (words: readonly string[], rest: string) => Command | string;
}

const USER = 'a user ID or a contact’s name (in quotes if it has spaces)';

/** Every slash command: the composer's parser and /help both read this table. */
export const COMMANDS: Readonly<Record<string, Spec>> = {
  help: { usage: '/help', summary: 'this list', parse: () => ({ kind: 'help' }) },
  link: {
    usage: '/link',
    summary: 'show your contact link, for others to /add',
    parse: () => ({ kind: 'link' }),
  },
  add: {
    usage: '/add <link>',
    summary: 'add a contact from their kith: link',
    parse: (w) =>
      w[0] === undefined ? 'give the contact link' : { kind: 'add', contactLink: w[0] },
  },
  contacts: {
    usage: '/contacts',
    summary: 'list your contacts',
    parse: () => ({ kind: 'contacts' }),
  },
  new: {
    usage: '/new <name> [user...]',
    summary: 'start a group with these users',
    parse: (w) =>
      w[0] === undefined ? 'give the group a name' : { kind: 'new', name: w[0], users: w.slice(1) },
  },
  dm: { usage: '/dm <user>', summary: 'start a direct conversation', parse: user('dm') },
  invite: { usage: '/invite <user>', summary: 'invite someone here', parse: user('invite') },
  remove: { usage: '/remove <user>', summary: 'remove someone from here', parse: user('remove') },
  ban: { usage: '/ban <user>', summary: 'remove and keep out', parse: user('ban') },
  unban: { usage: '/unban <user>', summary: 'lift a ban', parse: user('unban') },
  role: {
    usage: '/role <user> <role>',
    summary: 'make someone a member, moderator, admin or owner',
    parse: (w) =>
      w[0] === undefined || w[1] === undefined
        ? 'give a user and a role (member, moderator, admin or owner)'
        : { kind: 'role', user: w[0], role: w[1] },
  },
  block: {
    usage: '/block <user>',
    summary: 'hide their messages everywhere, refuse their invitations and DMs',
    parse: user('block'),
  },
  unblock: { usage: '/unblock <user>', summary: 'lift a block', parse: user('unblock') },
  blocked: {
    usage: '/blocked',
    summary: 'the users you block',
    parse: () => ({ kind: 'blocked' }),
  },
  invites: {
    usage: '/invites [anyone|contacts|nobody]',
    summary: 'who may add you to rooms (alone: show it)',
    parse: (w) =>
      w.length > 1 || (w[0] !== undefined && !['anyone', 'contacts', 'nobody'].includes(w[0]))
        ? 'give anyone, contacts or nobody'
        : { kind: 'invites', policy: w[0] },
  },
  members: {
    usage: '/members',
    summary: 'who is in this room, with their roles',
    parse: () => ({ kind: 'members' }),
  },
  leave: { usage: '/leave', summary: 'leave this room', parse: () => ({ kind: 'leave' }) },
  name: {
    usage: '/name <room name>',
    summary: 'rename this room',
    parse: (_, rest) => (rest === '' ? 'give the new name' : { kind: 'name', name: rest }),
  },
  topic: {
    usage: '/topic <text>',
    summary: 'set this room’s topic (nothing clears it)',
    parse: (_, rest) => ({ kind: 'topic', topic: rest }),
  },
  'room-avatar': {
    usage: '/room-avatar <image uri>|off',
    summary: 'set or remove this room’s avatar',
    parse: (w) =>
      w[0] === undefined
        ? 'give an image URI, or off'
        : { kind: 'roomAvatar', avatar: w[0] === 'off' ? null : w[0] },
  },
  'share-history': {
    usage: '/share-history all|since-joined',
    summary: 'what people who join later may read of what is written from now on',
    parse: (w) =>
      w[0] === 'all' || w[0] === 'since-joined'
        ? { kind: 'shareHistory', history: w[0] }
        : 'give all or since-joined',
  },
  reply: {
    usage: '/reply <n> <text>',
    summary: 'reply to message n',
    parse: (w, rest) => withText('reply', w, rest),
  },
  edit: {
    usage: '/edit <n> <text>',
    summary: 'change your message n',
    parse: (w, rest) => withText('edit', w, rest),
  },
  delete: {
    usage: '/delete <n>',
    summary: 'retract message n for everyone',
    parse: (w) => {
      const n = numberOf(w[0]);
      return n === undefined ? 'give the message number' : { kind: 'delete', n };
    },
  },
  react: {
    usage: '/react <n> <emoji>',
    summary: 'react to message n',
    parse: (w) => withEmoji('react', w),
  },
  unreact: {
    usage: '/unreact <n> <emoji>',
    summary: 'take your reaction back',
    parse: (w) => withEmoji('unreact', w),
  },
  thread: {
    usage: '/thread [n]',
    summary: 'follow the thread of message n (start one there); alone: back to all messages',
    parse: (w) => {
      const n = numberOf(w[0]);
      return w.length > 0 && n === undefined ? 'give a message number' : { kind: 'thread', n };
    },
  },
  threads: {
    usage: '/threads',
    summary: 'the threads of this room, the latest first',
    parse: () => ({ kind: 'threads' }),
  },
  history: {
    usage: '/history <n>',
    summary: 'every version of edited message n',
    parse: (w) => {
      const n = numberOf(w[0]);
      return n === undefined ? 'give the message number' : { kind: 'history', n };
    },
  },
  room: {
    usage: '/room <n>',
    summary: 'go to room n (also Tab, Ctrl-N, Ctrl-P, Alt-Up, Alt-Down)',
    parse: (w) => {
      const n = numberOf(w[0]);
      return n === undefined ? 'give the room number' : { kind: 'room', n };
    },
  },
  receipts: signalSpec(
    'receipts',
    'read and delivery receipts (your messages: ✓ sent, ✓✓ delivered, read by N)',
  ),
  typing: signalSpec('typing', '"typing…" to the room'),
  presence: signalSpec('presence', 'your presence (online, away)'),
  nick: {
    usage: '/nick <your name>',
    summary: 'change the name in your contact link',
    parse: (_, rest) => (rest === '' ? 'give your new name' : { kind: 'nick', name: rest }),
  },
  expire: expireSpec,
  disappear: {
    usage: '/disappear <duration>|off',
    summary: 'make every message here disappear after 30s, 5m, 2h, 1d…, for everyone',
    parse: (w) => {
      if (w[0] === 'off') return { kind: 'disappear', ms: null };
      const ms = parseDuration(w[0] ?? '');
      return ms === undefined
        ? 'give a duration like 30s, 5m, 2h or 1d, or off'
        : { kind: 'disappear', ms };
    },
  },
  export: exportSpec,
  ...fileSpecs,
  search: searchSpec,
  verify: verifySpec,
  ...notifySpecs,
  ...deviceSpecs,
  quit: {
    usage: '/quit',
    summary: 'leave the chat (also Ctrl-C)',
    parse: () => ({ kind: 'quit' }),
  },
};

const ALIASES: Readonly<Record<string, string>> = {
  exit: 'quit',
  q: 'quit',
  retract: 'delete',
  join: 'room',
  rename: 'name',
  attach: 'send',
};

/**
 * Reads a composer line. Plain text is a message; `/name args` a command; `//text` sends text
 * that starts with a slash.
 */
export function parseLine(line: string): Parsed {
  if (line.trim() === '') return { ok: 'empty' };
  if (!line.startsWith('/')) return { ok: true, command: { kind: 'send', text: line } };
  if (line.startsWith('//')) return { ok: true, command: { kind: 'send', text: line.slice(1) } };
  const match = /^\/(\S+)\s*(.*)$/s.exec(line);
  const typed = (match?.[1] ?? '').toLowerCase();
  const rest = (match?.[2] ?? '').trim();
  const name = ALIASES[typed] ?? typed;
  const spec = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (spec === undefined) return { ok: false, error: `no command /${typed}: /help lists them` };
  const words = splitWords(rest);
  if (typeof words === 'string') return { ok: false, error: `${words} (${spec.usage})` };
  const result = spec.parse(words, rest);
  return typeof result === 'string'
    ? { ok: false, error: `${result}: ${spec.usage}` }
    : { ok: true, command: result };
}

/** Words split at spaces; "double" or 'single' quotes keep spaces in one word. */
export function splitWords(text: string): string[] | string {
  const words: string[] = [];
  const pattern = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (const m of text.matchAll(pattern)) {
    const word = m[1] ?? m[2] ?? m[3] ?? '';
    if (m[3] !== undefined && /["']/.test(word[0] ?? '')) return 'a quote is not closed';
    words.push(word);
  }
  return words;
}

/**
 * The /help text, one line per command. Commands `unavailable` gives a reason for (what the
 * user's role in the room on screen does not allow) are listed apart, with that reason.
 */
export function helpLines(
  unavailable: (command: string) => string | undefined = () => undefined,
): string[] {
  const specs = Object.entries(COMMANDS);
  const width = Math.max(...specs.map(([, s]) => s.usage.length));
  const refused = specs.flatMap(([name, s]) => {
    const why = unavailable(name);
    return why === undefined ? [] : [`  ${s.usage.padEnd(width)}  ${why}`];
  });
  return [
    'Type a message and press Enter to send it. Commands:',
    ...specs
      .filter(([name]) => unavailable(name) === undefined)
      .map(([, s]) => `  ${s.usage.padEnd(width)}  ${s.summary}`),
    ...(refused.length === 0 ? [] : ['', 'Not available to you in this room:', ...refused]),
    '',
    `<user> is ${USER}.`,
    '<n> is the number beside a message; rooms are numbered in the list on the left.',
    'Tab completes a command, @name, room or contact; on an empty line it goes to the next room.',
    'Shift-Tab, Ctrl-N / Ctrl-P or Alt-Up / Alt-Down switch rooms; PageUp / PageDown scroll.',
    'Alt-Enter starts a new line in the message (a pasted text keeps its lines).',
    'Start a message with // to send text beginning with a slash. Esc closes this panel.',
  ];
}

function user(kind: 'dm' | 'invite' | 'remove' | 'ban' | 'unban' | 'block' | 'unblock') {
  return (w: readonly string[]): Command | string =>
    w[0] === undefined || w.length > 1 ? `give one user, ${USER}` : { kind, user: w[0] };
}

function withText(kind: 'reply' | 'edit', w: readonly string[], rest: string): Command | string {
  const n = numberOf(w[0]);
  const text = rest.replace(/^\S+\s*/, '');
  if (n === undefined || text === '') return 'give the message number and the text';
  return { kind, n, text };
}

function withEmoji(kind: 'react' | 'unreact', w: readonly string[]): Command | string {
  const n = numberOf(w[0]);
  if (n === undefined || w[1] === undefined) return 'give the message number and an emoji';
  return { kind, n, emoji: w[1] };
}

/** A positive whole number, written `12` or `#12`. */
function numberOf(word: string | undefined): number | undefined {
  const m = /^#?(\d{1,9})$/.exec(word ?? '');
  const n = Number(m?.[1]);
  return m === null || n < 1 ? undefined : n;
}
