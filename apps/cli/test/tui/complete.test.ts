import { describe, expect, it } from 'vitest';
import { complete, type CompletionSources } from '../../src/tui/complete.ts';
import type { Composer } from '../../src/tui/editor.ts';

const sources: CompletionSources = {
  commands: ['help', 'topic', 'thread', 'threads', 'react', 'room'],
  rooms: ['team', 'lunch', 'trip'],
  members: ['ana', 'anton', 'ben'],
  contacts: ['Ben Ito', 'cai'],
};
const at = (text: string): Composer => ({ text, cursor: text.length });

describe('Tab completion', () => {
  it('completes a command, a mention, a room number and a contact', () => {
    expect(complete(at('/to'), sources)).toEqual({ composer: at('/topic '), choices: [] });
    expect(complete(at('hi @be'), sources).composer).toEqual(at('hi @ben '));
    expect(complete(at('/room lu'), sources).composer).toEqual(at('/room 2 '));
    expect(complete(at('/dm be'), sources).composer).toEqual(at('/dm "Ben Ito" '));
  });

  it('fills in what several matches share and lists them', () => {
    const threads = complete(at('/th'), sources);
    expect(threads.composer).toEqual(at('/thread'));
    expect(threads.choices).toEqual(['/thread', '/threads']);
    const ana = complete(at('@an'), sources);
    expect(ana.composer).toEqual(at('@an'));
    expect(ana.choices).toEqual(['@ana', '@anton']);
  });

  it('leaves plain words and unknown names alone', () => {
    expect(complete(at('hello wor'), sources)).toEqual({ composer: at('hello wor'), choices: [] });
    expect(complete(at('/zz'), sources)).toEqual({ composer: at('/zz'), choices: [] });
  });

  it('completes the word before the cursor, keeping what follows', () => {
    const c = { text: '@b said hi', cursor: 2 };
    expect(complete(c, sources).composer).toEqual({ text: '@ben  said hi', cursor: 5 });
  });
});
