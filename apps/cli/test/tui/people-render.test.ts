import type { UserId } from '@kith/core';
import { describe, expect, it } from 'vitest';
import type { MessageView } from '../../src/app/views.ts';
import { helpLines, parseLine } from '../../src/tui/commands.ts';
import { markdownSegments } from '../../src/tui/markdown.ts';
import { render } from '../../src/tui/render.ts';
import { buildTimeline } from '../../src/tui/timeline.ts';
import { message, messageView, room, state, text } from './fixtures.ts';

const ANA = `u${'a'.repeat(52)}` as UserId;
const BEN = `u${'b'.repeat(51)}a` as UserId;

describe('Markdown, mentions and threads on screen', () => {
  it('draws Markdown with the renderer’s styles and none of its syntax', () => {
    const rich = markdownSegments('**lunch** at `noon`?');
    const rows = render(state({ timeline: [message(1, '**lunch** at `noon`?', { rich })] }), 80, 8);
    const row = rows[4] ?? '';
    expect(text(rows)[4]).toContain('ben: lunch at noon?');
    expect(row).toContain('\x1b[1mlunch\x1b[0m');
    expect(row).toContain('\x1b[36mnoon\x1b[0m');
  });

  it('wraps a multi-line Markdown message under its first line', () => {
    const rich = markdownSegments('- one\n- two');
    const t = text(render(state({ timeline: [message(1, '', { rich })] }), 80, 8));
    expect(t[3]).toContain('ben: • one');
    expect(t[4]).toMatch(/│ +• two$/);
  });

  it('makes a message that mentions this user stand out, and marks the room', () => {
    const s = state({
      rooms: [room('team'), room('general', 3, { mentions: true })],
      timeline: [message(1, 'hi @ana', { mentionsMe: true })],
    });
    const rows = render(s, 80, 8);
    expect(rows[4]).toContain('\x1b[1;30;43mben:\x1b[0m');
    expect(text(rows)[2]).toMatch(/^ 2 general +@3│/);
  });

  it('shows thread replies, counts under a thread’s first message, and the thread followed', () => {
    const s = state({
      timeline: [
        message(1, 'plan', { threadReplies: 2 }),
        message(2, 'snacks', { inThread: true }),
      ],
      thread: { label: 'plan' },
    });
    const t = text(render(s, 80, 10));
    expect(t[0]).toContain('thread: plan');
    expect(t.join('\n')).toContain('2 in thread: /thread 1');
    expect(t.join('\n')).toContain('ben: ↳ snacks');
  });

  it('builds Markdown items from message views, with mention names this device knows', () => {
    const view = (id: string, extra: Partial<MessageView>): MessageView =>
      messageView(id, BEN, '', { ts: 1, ...extra });
    const items = buildTimeline(
      [
        view('m1', { markdown: true, text: `hey [@boss](kith:user/${ANA})`, mentionsMe: true }),
        view('m2', { text: '**plain**', threadId: 'm1' }),
      ],
      [],
      ANA,
      { nameOf: (u) => (u === ANA ? 'ana' : undefined), threadReplies: new Map([['m1', 1]]) },
    );
    const [first, second] = items;
    expect(first).toMatchObject({ mentionsMe: true, threadReplies: 1 });
    expect(first?.kind === 'message' ? first.rich : undefined).toEqual([
      { text: 'hey ', style: '' },
      { text: '@ana', style: '1;30;43' },
    ]);
    expect(second).toMatchObject({ inThread: true, text: '**plain**' });
    expect(second?.kind === 'message' ? second.rich : 'none').toBeUndefined();
  });
});

describe('commands for threads, history and help by role', () => {
  it('parses /thread, /threads and /history', () => {
    expect(parseLine('/thread 3')).toEqual({ ok: true, command: { kind: 'thread', n: 3 } });
    expect(parseLine('/thread')).toEqual({
      ok: true,
      command: { kind: 'thread', n: undefined },
    });
    expect(parseLine('/threads')).toEqual({ ok: true, command: { kind: 'threads' } });
    expect(parseLine('/history #2')).toEqual({ ok: true, command: { kind: 'history', n: 2 } });
    expect(parseLine('/history')).toMatchObject({ ok: false });
    expect(parseLine('/thread x')).toMatchObject({ ok: false });
  });

  it('lists commands the role does not allow apart, with why', () => {
    const lines = helpLines((name) =>
      name === 'ban' ? 'your role here (member) may not ban' : undefined,
    );
    const apart = lines.indexOf('Not available to you in this room:');
    expect(apart).toBeGreaterThan(0);
    const ban = lines.findIndex((l) => l.trimStart().startsWith('/ban'));
    expect(ban).toBeGreaterThan(apart);
    expect(lines[ban]).toContain('your role here (member) may not ban');
    expect(lines.filter((l) => l.trimStart().startsWith('/ban '))).toHaveLength(1);
    expect(helpLines()).not.toContain('Not available to you in this room:');
  });
});
