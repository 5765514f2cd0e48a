import { describe, expect, it } from 'vitest';
import { parseLine } from '../../src/tui/commands.ts';
import { render } from '../../src/tui/render.ts';
import { buildTimeline } from '../../src/tui/timeline.ts';
import { message, messageView, state, text } from './fixtures.ts';

describe('imported history in the chat', () => {
  it('shows the original author and time with an imported mark', () => {
    const original = new Date(2015, 4, 27, 9, 30).getTime();
    const s = state({
      timeline: [
        message(1, 'hello from matrix', {
          senderName: 'ana',
          imported: { senderName: 'Alice Margatroid', ts: original },
        }),
        message(2, 'written here'),
      ],
    });
    const t = text(render(s, 100, 10)).join('\n');
    expect(t).toContain('1 14:03 Alice Margatroid (imported, 2015-05-27 09:30): hello from matrix');
    expect(t).toContain('2 14:03 ben: written here');
  });

  it('carries `imported` from the message view to the row', () => {
    const view = messageView('aa', 'u1', 'hi', {
      senderName: 'ana',
      imported: { sender: '@alice:example.org', senderName: 'alice', ts: 5 },
    });
    const [item] = buildTimeline([view], [], 'u2');
    expect(item).toMatchObject({ imported: { senderName: 'alice', ts: 5 } });
  });

  it('/export takes a file', () => {
    expect(parseLine('/export ~/team history.jsonl')).toEqual({
      ok: true,
      command: { kind: 'export', path: '~/team history.jsonl' },
    });
    expect(parseLine('/export')).toMatchObject({ ok: false });
  });
});
