import { describe, expect, it } from 'vitest';
import type { StatusView } from '../../src/app/signals.ts';
import type { MessageView } from '../../src/app/views.ts';
import { parseLine } from '../../src/tui/commands.ts';
import { render } from '../../src/tui/render.ts';
import { receiptOf, typingText } from '../../src/tui/signal-commands.ts';
import { buildTimeline } from '../../src/tui/timeline.ts';
import { message, state, text, TS } from './fixtures.ts';

describe('signals in the chat', () => {
  it('parses /receipts, /typing and /presence with on, off or nothing', () => {
    expect(parseLine('/receipts off')).toEqual({
      ok: true,
      command: { kind: 'signal', signal: 'receipts', on: false },
    });
    expect(parseLine('/typing on')).toMatchObject({ command: { signal: 'typing', on: true } });
    expect(parseLine('/presence')).toMatchObject({
      command: { signal: 'presence', on: undefined },
    });
    expect(parseLine('/typing maybe')).toEqual({
      ok: false,
      error: 'give on or off: /typing [on|off]',
    });
  });

  it('says who is typing in the status line, beside the name', () => {
    expect(typingText([])).toBeUndefined();
    expect(typingText(['ben'])).toBe('ben is typing…');
    expect(typingText(['ben', 'cai'])).toBe('ben and cai are typing…');
    expect(typingText(['ben', 'cai', 'dan'])).toBe('3 people are typing…');
    const s = state({ status: { peers: 1, relays: 0, sync: undefined, typing: 'ben is typing…' } });
    expect(text(render(s, 80, 8))[5]).toBe(' ana · ben is typing… · 1 peer · no relays');
  });

  it('marks own messages … sending, ✓ sent, ✓✓ stored or delivered, "read by N"', () => {
    expect(receiptOf({})).toEqual({});
    expect(receiptOf({ deliveredTo: 1, readBy: 0 })).toEqual({ receipt: 'delivered' });
    expect(receiptOf({ deliveredTo: 1, readBy: 1 })).toEqual({ receipt: 'read', readBy: 1 });
    const status = (state: StatusView['state'], readBy = 0): StatusView => ({
      state,
      delivered: 0,
      devices: 2,
      readBy,
    });
    // This device's messages go by their delivery state, not by the bare receipts.
    expect(receiptOf({ deliveredTo: 1, status: status('stored') })).toEqual({ receipt: 'stored' });
    expect(receiptOf({ status: status('read', 2) })).toEqual({ receipt: 'read', readBy: 2 });
    const marks = (['sending', 'sent', 'stored', 'delivered'] as const).map((r, i) =>
      message(i + 1, 'hi', { mine: true, receipt: r }),
    );
    marks.push(message(5, 'hi', { mine: true, receipt: 'read', readBy: 2 }));
    const shown = text(render(state({ timeline: marks }), 80, 10)).join('\n');
    for (const end of ['hi …', 'hi ✓', 'hi ✓✓', 'hi ✓✓ read by 2']) expect(shown).toContain(end);
    expect(shown.match(/hi ✓✓$/gmu)?.length).toBe(2);
    const view = (sender: string, deliveredTo: number, readBy: number): MessageView =>
      ({
        messageId: sender,
        sender,
        text: 'hi',
        ts: TS,
        reactions: {},
        replyTo: null,
        deliveredTo,
        readBy,
      }) as unknown as MessageView;
    const items = buildTimeline([view('me', 2, 1), view('ben', 2, 2)], [], 'me');
    expect(items).toMatchObject([{ receipt: 'read', readBy: 1 }, {}]);
    expect(items[1]).not.toHaveProperty('receipt');
    const rows = text(
      render(state({ timeline: [message(1, 'hi', { mine: true, receipt: 'delivered' })] }), 80, 8),
    );
    expect(rows.join('\n')).toContain('ben: hi ✓✓');
  });
});
