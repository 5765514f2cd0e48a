import { describe, expect, it } from 'vitest';
import { markdownMessage, textMessage } from '../../src/content/builders.ts';
import type { UserId } from '../../src/ids.ts';
import {
  linkMentions,
  mentionedUsers,
  mentionOf,
  userOfMentionUri,
} from '../../src/people/mentions.ts';

const ana = `u${'a'.repeat(52)}` as UserId;
const ben = `u${'b'.repeat(51)}a` as UserId;
const bea = `u${'c'.repeat(51)}a` as UserId;
const salt = new Uint8Array(16);
const people = [
  { userId: ana, displayName: 'Ana' },
  { userId: ben, displayName: 'Ben Smith' },
  { userId: bea, displayName: 'Ben' },
];

describe('mentions', () => {
  it('writes a mention as a link to the user URI and reads it back', () => {
    expect(mentionOf('Ana', ana)).toBe(`[@Ana](kith:user/${ana})`);
    expect(userOfMentionUri(`kith:user/${ana}`)).toBe(ana);
    expect(userOfMentionUri('kith:user/nobody')).toBeUndefined();
    expect(userOfMentionUri(`mimi://x/u/${ana}`)).toBeUndefined();
  });

  it('links @names of people, longest name first, case aside', () => {
    expect(linkMentions('hi @ana and @ben smith, @Ben!', people)).toBe(
      `hi ${mentionOf('Ana', ana)} and ${mentionOf('Ben Smith', ben)}, ${mentionOf('Ben', bea)}!`,
    );
    expect(linkMentions(`ping @${ana}`, people)).toBe(`ping ${mentionOf('Ana', ana)}`);
  });

  it('leaves code, e-mail addresses, unknown and shared names alone', () => {
    const text = 'mail ana@ana.org, `@ana` and @anabel\n```\n@ana\n```';
    expect(linkMentions(text, people)).toBe(text);
    const twins = [...people, { userId: ben, displayName: 'Ana' }];
    expect(linkMentions('@ana', twins)).toBe('@ana');
  });

  it('finds who a Markdown message mentions; plain text mentions nobody', () => {
    const md = markdownMessage(linkMentions('@Ana, @Ben and @ana again', people), { salt });
    expect(mentionedUsers(md)).toEqual([ana, bea]);
    expect(mentionedUsers(textMessage(mentionOf('Ana', ana), { salt }))).toEqual([]);
    const inCode = markdownMessage(`\`${mentionOf('Ana', ana)}\``, { salt });
    expect(mentionedUsers(inCode)).toEqual([]);
  });
});
