import { describe, expect, it } from 'vitest';
import { COMMANDS, helpLines, parseLine, splitWords } from '../../src/tui/commands.ts';

const command = (line: string): unknown => {
  const parsed = parseLine(line);
  if (parsed.ok !== true) throw new Error(`"${line}" did not parse: ${JSON.stringify(parsed)}`);
  return parsed.command;
};
const error = (line: string): string => {
  const parsed = parseLine(line);
  if (parsed.ok !== false) throw new Error(`"${line}" parsed: ${JSON.stringify(parsed)}`);
  return parsed.error;
};

describe('parseLine', () => {
  it('sends plain text as it was typed, and //text as /text', () => {
    expect(command('hello  there ')).toEqual({ kind: 'send', text: 'hello  there ' });
    expect(command('//shrug')).toEqual({ kind: 'send', text: '/shrug' });
    expect(parseLine('   ')).toEqual({ ok: 'empty' });
  });

  it('reads every command of the brief', () => {
    expect(command('/help')).toEqual({ kind: 'help' });
    expect(command('/link')).toEqual({ kind: 'link' });
    expect(command('/add kith:abc')).toEqual({ kind: 'add', contactLink: 'kith:abc' });
    expect(command('/contacts')).toEqual({ kind: 'contacts' });
    expect(command('/new team ben "Cai Li" u:abcd')).toEqual({
      kind: 'new',
      name: 'team',
      users: ['ben', 'Cai Li', 'u:abcd'],
    });
    expect(command('/new "the team"')).toEqual({ kind: 'new', name: 'the team', users: [] });
    expect(command('/dm ben')).toEqual({ kind: 'dm', user: 'ben' });
    for (const kind of ['invite', 'remove', 'ban', 'unban'] as const) {
      expect(command(`/${kind} 'Cai Li'`)).toEqual({ kind, user: 'Cai Li' });
    }
    expect(command('/leave')).toEqual({ kind: 'leave' });
    expect(command('/role ben moderator')).toEqual({
      kind: 'role',
      user: 'ben',
      role: 'moderator',
    });
    expect(command('/name Lunch  club ')).toEqual({ kind: 'name', name: 'Lunch  club' });
    expect(command('/topic where to eat')).toEqual({ kind: 'topic', topic: 'where to eat' });
    expect(command('/topic')).toEqual({ kind: 'topic', topic: '' });
    expect(command('/reply 3 sure,  why not')).toEqual({
      kind: 'reply',
      n: 3,
      text: 'sure,  why not',
    });
    expect(command('/edit #12 fixed')).toEqual({ kind: 'edit', n: 12, text: 'fixed' });
    expect(command('/delete 4')).toEqual({ kind: 'delete', n: 4 });
    expect(command('/react 2 👍')).toEqual({ kind: 'react', n: 2, emoji: '👍' });
    expect(command('/unreact 2 👍')).toEqual({ kind: 'unreact', n: 2, emoji: '👍' });
    expect(command('/room 2')).toEqual({ kind: 'room', n: 2 });
    expect(command('/quit')).toEqual({ kind: 'quit' });
    expect(command('/nick Ana B')).toEqual({ kind: 'nick', name: 'Ana B' });
    expect(command('/members')).toEqual({ kind: 'members' });
    expect(command('/notify')).toEqual({ kind: 'notify', on: undefined });
    expect(command('/notify off')).toEqual({ kind: 'notify', on: false });
    expect(command('/notify on')).toEqual({ kind: 'notify', on: true });
    expect(parseLine('/notify loud')).toEqual({ ok: false, error: 'on or off: /notify [on|off]' });
    expect(command('/mute')).toEqual({ kind: 'mute', muted: true });
    expect(command('/unmute')).toEqual({ kind: 'mute', muted: false });
  });

  it('takes command names in any case, and a few aliases', () => {
    expect(command('/QUIT')).toEqual({ kind: 'quit' });
    expect(command('/exit')).toEqual({ kind: 'quit' });
    expect(command('/retract 1')).toEqual({ kind: 'delete', n: 1 });
  });

  it('explains what is missing, with the usage', () => {
    expect(error('/frobnicate')).toBe('no command /frobnicate: /help lists them');
    expect(error('/reply 3')).toBe('give the message number and the text: /reply <n> <text>');
    expect(error('/reply x hello')).toContain('/reply <n> <text>');
    expect(error('/edit 0 text')).toContain('/edit <n> <text>');
    expect(error('/react 1')).toContain('/react <n> <emoji>');
    expect(error('/delete')).toContain('/delete <n>');
    expect(error('/room one')).toContain('/room <n>');
    expect(error('/dm')).toContain('/dm <user>');
    expect(error('/dm ben cai')).toContain('give one user');
    expect(error('/role ben')).toContain('/role <user> <role>');
    expect(error('/new')).toContain('/new <name> [user...]');
    expect(error('/new "team')).toBe('a quote is not closed (/new <name> [user...])');
    expect(error('/add')).toContain('/add <link>');
    expect(error('/name')).toContain('/name <room name>');
  });
});

describe('splitWords', () => {
  it('keeps quoted spaces and apostrophes inside words', () => {
    expect(splitWords(`a "b c" 'd e' Ben's`)).toEqual(['a', 'b c', 'd e', "Ben's"]);
    expect(splitWords('  ')).toEqual([]);
  });
});

describe('helpLines', () => {
  it('lists every command with its usage', () => {
    const help = helpLines().join('\n');
    for (const spec of Object.values(COMMANDS)) expect(help).toContain(spec.usage);
    for (const name of ['/link', '/add', '/new', '/dm', '/react', '/room', '/quit']) {
      expect(help).toContain(name);
    }
  });

  it('reads the room avatar and history policy commands, refusing anything else', () => {
    expect(command('/room-avatar https://x.org/a.png')).toEqual({
      kind: 'roomAvatar',
      avatar: 'https://x.org/a.png',
    });
    expect(command('/room-avatar off')).toEqual({ kind: 'roomAvatar', avatar: null });
    expect(command('/share-history since-joined')).toEqual({
      kind: 'shareHistory',
      history: 'since-joined',
    });
    expect(error('/share-history sometimes')).toMatch(/all or since-joined/);
    expect(command('/disappear 1h')).toEqual({ kind: 'disappear', ms: 3_600_000 });
    expect(command('/disappear off')).toEqual({ kind: 'disappear', ms: null });
    expect(error('/disappear soon')).toMatch(/duration/);
    expect(error('/room-avatar')).toMatch(/image URI/);
  });
});
