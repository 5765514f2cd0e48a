import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cursorOf, render } from '../../src/tui/render.ts';
import type { StatusInfo } from '../../src/tui/state.ts';
import { plain, widthOf } from '../../src/tui/text.ts';
import { message, room, state, text, TS } from './fixtures.ts';

describe('render: layout', () => {
  it('draws header, rooms beside the timeline, status, notice and composer, each row full width', () => {
    const s = state({
      rooms: [room('team', 0), room('general', 3), room('DM with cai', 12)],
      timeline: [message(1, 'hello')],
      notice: { kind: 'info', text: 'created "team"' },
      composer: { text: 'typing', cursor: 6 },
    });
    const rows = render(s, 80, 12);
    expect(rows).toHaveLength(12);
    for (const row of rows) expect(widthOf(plain(row))).toBe(80);
    const t = text(rows);
    expect(t[0]).toMatch(/^ kith · team/);
    expect(t[0]).toContain('/help');
    // The rooms pane: numbered, unread counts at its right edge, then the separator.
    expect(t[1]).toMatch(/^ 1 team +│/);
    expect(t[2]).toMatch(/^ 2 general +3│/);
    expect(t[3]).toMatch(/^ 3 DM with cai +12│/);
    expect(t[9]).toBe(' ana · 2 peers · 1 relay · history complete');
    expect(t[10]).toBe(' created "team"');
    expect(t[11]).toBe('> typing');
    // The newest message sits on the last row of the timeline, next to the composer.
    expect(t[8]).toContain('1 14:03 ben: hello');
    expect(cursorOf(s, 80, 12)).toEqual([11, 8]);
  });

  it('marks the open room in reverse video, and says how this device is out of a room', () => {
    const out = (label: string, departure?: 'left' | 'removed' | 'banned') =>
      room(label, 0, { active: false, ...(departure === undefined ? {} : { departure }) });
    const s = state({
      rooms: [
        room('team'),
        out('old', 'left'),
        out('club', 'removed'),
        out('bar', 'banned'),
        out('x'),
      ],
      current: 1,
    });
    const rows = render(s, 80, 10);
    expect(rows[2]).toContain('\x1b[7m');
    expect(rows[1]).not.toContain('\x1b[7m');
    expect(text(rows)[2]).toMatch(/^ 2 old \(left\)/);
    expect(text(rows)[3]).toMatch(/^ 3 club \(removed\)/);
    expect(text(rows)[4]).toMatch(/^ 4 bar \(banned\)/);
    expect(text(rows)[5]).toMatch(/^ 5 x \(not a member\)/);
  });

  it('hides the rooms list on a narrow screen and says where unread messages are', () => {
    const s = state({ rooms: [room('team'), room('general', 4)], current: 0 });
    const t = text(render(s, 50, 8));
    expect(t[0]).toContain('kith · 1/2 team');
    expect(t[0]).toContain('4 unread elsewhere');
    expect(t.join('\n')).not.toContain('│');
  });

  it('shows the topic in the header', () => {
    const t = text(render(state({ rooms: [room('team', 0, { topic: 'lunch plans' })] }), 80, 8));
    expect(t[0]).toContain('team · lunch plans');
  });

  it('says in the header when earlier history was not shared with this device', () => {
    const t = text(render(state({ rooms: [room('team', 0, { withheld: 3 })] }), 100, 8));
    expect(t[0]).toContain('3 earlier messages not shared with you');
    const none = text(render(state({ rooms: [room('team', 0)] }), 100, 8));
    expect(none[0]).not.toContain('not shared');
    expect(none[0]).not.toContain('disappear');
    const timed = text(
      render(state({ rooms: [room('team', 0, { disappearAfterMs: 90_000 })] }), 100, 8),
    );
    expect(timed[0]).toContain('messages disappear after 1m 30s');
  });

  it('welcomes a person with no room yet', () => {
    const s = state({ rooms: [], current: -1, status: { peers: 0, relays: 0, sync: undefined } });
    const t = text(render(s, 80, 12)).join('\n');
    expect(t).toContain('no rooms yet');
    expect(t).toContain('/link shows your contact link');
    expect(t).not.toContain('history complete');
  });

  it('says when the window is too small instead of drawing a broken screen', () => {
    const rows = render(state(), 18, 4);
    expect(rows).toHaveLength(4);
    expect(text(rows)[0]).toBe('window too small');
    for (const row of rows) expect(widthOf(plain(row))).toBe(18);
  });

  it('keeps every row exactly as wide as the screen, whatever the text', () => {
    const chars = fc.constantFrom(
      'a',
      'b',
      ' ',
      'é',
      '漢',
      '字',
      '👍',
      '🎉',
      '\n',
      'x',
      'y',
      '\x1b',
      '\t',
    );
    fc.assert(
      fc.property(
        fc.array(
          fc.array(chars, { maxLength: 120 }).map((a) => a.join('')),
          { maxLength: 8 },
        ),
        fc.integer({ min: 20, max: 130 }),
        fc.integer({ min: 6, max: 30 }),
        fc.nat(40),
        (texts, width, height, scroll) => {
          const s = state({
            rooms: [room(texts[0] ?? 'r', 5), room('漢字 room 👍', 0)],
            timeline: texts.map((t, i) =>
              message(i + 1, t, {
                senderName: texts[1] ?? 'ben',
                reactions: [[t.slice(0, 2) || '👍', i]],
              }),
            ),
            composer: { text: texts.join(''), cursor: texts.join('').length },
            notice: { kind: 'error', text: texts[2] ?? 'x' },
            scroll,
          });
          const rows = render(s, width, height);
          expect(rows).toHaveLength(height);
          for (const row of rows) expect(widthOf(plain(row))).toBe(width);
          const [cursorRow, cursorCol] = cursorOf(s, width, height);
          expect(cursorRow).toBe(height - 1);
          expect(cursorCol).toBeLessThan(width);
        },
      ),
    );
  });
});

describe('render: the timeline', () => {
  it('wraps a long message under its text, not under the number and time', () => {
    const long = 'one two three four five six seven eight nine ten eleven twelve thirteen';
    const t = text(render(state({ timeline: [message(1, long)] }), 59, 10));
    const rows = t.slice(1, 7).filter((r) => r.trim() !== '');
    expect(rows[0]).toBe(' ── 2024-05-06 ──');
    expect(rows[1]).toMatch(/^ 1 14:03 ben: one two/);
    for (const r of rows.slice(2)) expect(r).toMatch(/^ {9}\S/);
    const words = rows.slice(1).join(' ').replace('1 14:03 ben:', '').split(/\s+/).filter(Boolean);
    expect(words).toEqual(long.split(' '));
  });

  it('splits a word longer than a row (a contact link) wherever it must', () => {
    const link = `kith:${'abcdefghij'.repeat(12)}`;
    const t = text(render(state({ timeline: [message(1, link)] }), 50, 12));
    const joined = t
      .slice(1, 9)
      .map((r) => r.trim())
      .join('');
    expect(joined).toContain(link);
  });

  it('shows edits, retractions, reactions and a quote of the message replied to', () => {
    const timeline = [
      message(1, 'lunch at noon?', { senderName: 'ana', mine: true, edited: true }),
      message(2, 'yes!', {
        quote: { senderName: 'ana', text: 'lunch at noon?' },
        reactions: [
          ['👍', 2],
          ['🎉', 1],
        ],
      }),
      message(3, '', { retracted: true }),
      message(4, 'what?', { quote: { missing: true } }),
    ];
    const t = text(render(state({ timeline }), 80, 12)).join('\n');
    expect(t).toContain('1 14:03 ana: lunch at noon? (edited)');
    expect(t).toContain('2 14:03 ben: [↪ ana: lunch at noon?] yes!');
    expect(t).toMatch(/\n +│ {9}👍 2 {2}🎉 1\n/);
    expect(t).toContain('3 14:03 ben: (message deleted)');
    expect(t).toContain('4 14:03 ben: [↪ a message not here yet] what?');
  });

  it('cuts a long quote short', () => {
    const quote = { senderName: 'ana', text: 'a'.repeat(100) };
    const t = text(render(state({ timeline: [message(2, 'ok', { quote })] }), 120, 8)).join('\n');
    expect(t).toContain(`[↪ ana: ${'a'.repeat(31)}…] ok`);
  });

  it('shows membership changes as system lines among the messages', () => {
    const timeline = [
      message(1, 'hi'),
      { kind: 'system' as const, ts: TS, text: 'cai joined' },
      message(2, 'welcome cai'),
    ];
    const t = text(render(state({ timeline }), 80, 10));
    const at = t.findIndex((r) => r.includes('· cai joined'));
    expect(at).toBeGreaterThan(t.findIndex((r) => r.includes('ben: hi')));
    expect(at).toBeLessThan(t.findIndex((r) => r.includes('welcome cai')));
  });

  it('prints text from others without its control characters', () => {
    const evil = 'hi\x1b[2J\x1b]0;owned\x07 there\r';
    const rows = render(
      state({ timeline: [message(1, evil, { senderName: 'b\x1b[31mx' })] }),
      80,
      8,
    );
    // eslint-disable-next-line no-control-regex -- control characters are what it looks for
    for (const row of rows) expect(plain(row)).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    expect(text(rows).join('\n')).toContain('b\ufffd[31mx: hi\ufffd[2J\ufffd]0;owned\ufffd there');
  });

  it('scrolls up by rows and says how many are below', () => {
    const timeline = Array.from({ length: 30 }, (_, i) => message(i + 1, `message ${i + 1}`));
    const bottom = text(render(state({ timeline }), 80, 10)).join('\n');
    expect(bottom).toContain('message 30');
    const up = text(render(state({ timeline, scroll: 10 }), 80, 10)).join('\n');
    expect(up).not.toContain('message 30');
    expect(up).toContain('message 15');
    expect(up).toContain('10 more rows below');
    // Scrolling past the top stops at the first message.
    const top = text(render(state({ timeline, scroll: 1000 }), 80, 10)).join('\n');
    expect(top).toContain('── 2024-05-06 ──');
    expect(top).toContain(' 1 14:03 ben: message 1');
  });
});

describe('render: status and notices', () => {
  it('tells syncing from complete history, and says unsent only when nothing is reachable', () => {
    const sync = { complete: false, waiting: 3, unsent: 2 };
    const s = state({ status: { peers: 1, relays: 0, sync } });
    expect(text(render(s, 80, 8))[5]).toBe(' ana · 1 peer · no relays · syncing: 3 waiting');
    const offline = state({ status: { peers: 0, relays: 1, relaysUp: 0, sync } });
    expect(text(render(offline, 100, 8))[5]).toBe(
      ' ana · 0 peers · connecting to 1 relay… · syncing: 3 waiting · 2 not sent (offline)',
    );
    const stored = state({ status: { peers: 0, relays: 1, relaysUp: 1, sync } });
    expect(text(render(stored, 80, 8))[5]).toBe(
      ' ana · 0 peers · online via 1 relay · syncing: 3 waiting',
    );
  });

  it('says how many relays are connected, connecting, or waiting to be tried again', () => {
    const line = (status: Partial<StatusInfo>): string | undefined =>
      text(
        render(state({ status: { peers: 0, relays: 2, sync: undefined, ...status } }), 80, 8),
      )[5];
    expect(line({ relaysUp: 2 })).toBe(' ana · 0 peers · online via 2 relays');
    expect(line({ relaysUp: 1 })).toBe(' ana · 0 peers · 1 of 2 relays');
    expect(line({ relaysUp: 0 })).toBe(' ana · 0 peers · connecting to 2 relays…');
    expect(line({ relaysUp: 0, relayRetryInMs: 11_200 })).toBe(
      ' ana · 0 peers · relays offline, retry in 12 s',
    );
  });

  it('colours errors apart from results', () => {
    const error = render(state({ notice: { kind: 'error', text: 'not allowed' } }), 80, 8)[6];
    const info = render(state({ notice: { kind: 'info', text: 'done' } }), 80, 8)[6];
    expect(error).toContain('\x1b[1;31m not allowed');
    expect(info).toContain('\x1b[32m done');
  });

  it('shows a panel over the timeline, scrolled', () => {
    const panel = { title: 'Contacts', lines: Array.from({ length: 20 }, (_, i) => `person ${i}`) };
    const t = text(render(state({ panel, timeline: [message(1, 'hidden')] }), 80, 12));
    expect(t[1]).toMatch(/│ Contacts$/);
    expect(t[3]).toMatch(/│ person 0$/);
    expect(t.join('\n')).not.toContain('hidden');
    expect(t[8]).toContain('PageUp/PageDown scroll · Esc closes');
    const scrolled = text(render(state({ panel, scroll: 5 }), 80, 12));
    expect(scrolled[3]).toMatch(/│ person 5$/);
  });

  it('scrolls a long composer line to keep the cursor in view', () => {
    const long = 'x'.repeat(100);
    const s = state({ composer: { text: long, cursor: 100 } });
    const last = text(render(s, 40, 8))[7] ?? '';
    expect(last.startsWith('> x')).toBe(true);
    expect(widthOf(last)).toBeLessThanOrEqual(40);
    expect(cursorOf(s, 40, 8)[1]).toBeLessThan(40);
  });
});
