import { describe, expect, it } from 'vitest';
import { MediaTypes } from '../../src/content/parts.ts';
import type { ImportItem } from '../../src/import/item.ts';
import { ImportLimits } from '../../src/import/limits.ts';
import { telegramToMimi } from '../../src/import/telegram.ts';
import { texts, World } from '../client/world.ts';
import {
  richChat,
  tgAccount,
  tgChat,
  tgMessage,
  tgService,
  type Layout,
} from './telegram-samples.ts';

/** An item as `[kind, type, text, replyTo]`, to compare whole plans at a glance. */
function view(item: ImportItem): unknown[] {
  if (item.kind === 'reaction') return ['reaction', item.text, item.target];
  if (item.kind !== 'message') return [item.kind];
  const body = item.body;
  const text = body.kind === 'single' ? new TextDecoder().decode(body.content) : body.kind;
  const type = body.kind === 'single' && body.contentType === MediaTypes.markdown ? 'md' : 'txt';
  return [type, text, item.replyTo ?? null];
}

const RICH = [
  ['txt', '[service] User 1 created the group “Friends”', null],
  ['md', 'hello **bold** and _it_', null],
  ['txt', 'plain answer', 1],
  ['txt', 'final text', null],
  ['md', '↪ Forwarded from **Carol\\_c**\n\nfrom elsewhere', null],
  ['md', '\\[photo\\] photos/photo\\_1@01-01-2021.jpg\n\na caption', null],
  ['md', '\\[voice message\\] voice\\_messages/audio\\_1.ogg (audio/ogg, 3 s)', null],
  ['md', '[site](https://example.org/a_%28b%29) `x*y` https://x.org', null],
  ['md', '```js\nlet a = 1;\n```', null],
  ['txt', '[service] User 1 pinned a message', null],
];

describe('telegramToMimi', () => {
  for (const layout of ['current', 'older'] as Layout[]) {
    it(`reads the ${layout} layout: formatting, replies, forwards, media and service lines`, () => {
      const [chat, ...rest] = telegramToMimi(richChat(layout));
      expect(rest).toEqual([]);
      expect(chat?.name).toBe('Friends');
      expect(chat?.plan.items.map(view)).toEqual(RICH);
      expect(chat?.plan.skipped).toEqual({ service: 1 });
      const first = chat?.plan.items[1];
      expect(first?.origin).toEqual({
        sender: 'telegram:user1',
        ts: 1_600_000_002_000,
        name: 'User 1',
      });
    });
  }

  it('reads a whole account export, a chat per plan, left chats too', () => {
    const chats = telegramToMimi(
      tgAccount(
        [tgChat('A', [tgMessage('current', 1, 1, ['in a'])], 1), { name: 'no messages' }],
        [tgChat('Gone', [tgMessage('older', 1, 2, ['in gone'])], 2)],
      ),
    );
    expect(chats.map((c) => [c.name, c.plan.items.map(view)])).toEqual([
      ['A', [['txt', 'in a', null]]],
      ['Gone', [['txt', 'in gone', null]]],
    ]);
  });

  it('turns reactions into reaction items from their first recent reactor', () => {
    const [chat] = telegramToMimi(
      tgChat('R', [
        tgMessage('current', 1, 1, ['react to me'], {
          reactions: [
            { type: 'emoji', count: 2, emoji: '👍', recent: [{ from: 'B', from_id: 'user2' }] },
            { type: 'emoji', count: 1, emoji: '👍' },
            { type: 'custom_emoji', count: 1, document_id: 'x' },
          ],
        }),
      ]),
    );
    expect(chat?.plan.items.map(view)).toEqual([
      ['txt', 'react to me', null],
      ['reaction', '👍', 0],
    ]);
    expect(chat?.plan.items[1]?.origin.sender).toBe('telegram:user2');
    expect(chat?.plan.skipped).toEqual({ 'duplicate-reaction': 1, 'unsupported-type': 1 });
  });

  it('refuses what is not a Telegram export with a typed error', () => {
    for (const input of [null, [], 'text', { messages: [] }, { chats: {} }, { chunk: [] }]) {
      expect(() => telegramToMimi(input)).toThrow(
        expect.objectContaining({ name: 'ExportError', code: 'EXPORT_NOT_TELEGRAM' }) as Error,
      );
    }
  });
});

describe('malformed Telegram exports give counted skips, never a throw', () => {
  const cases: [string, unknown, Record<string, number>][] = [
    ['not an object', 7, { malformed: 1 }],
    ['no id', { type: 'message', date_unixtime: '1', text: 'x' }, { malformed: 1 }],
    [
      'a date that is no date',
      { id: 1, type: 'message', date: 'yesterday', text: 'x' },
      { malformed: 1 },
    ],
    [
      'a unixtime that is no number',
      { id: 1, type: 'message', date_unixtime: '1e5', text: 'x' },
      { malformed: 1 },
    ],
    ['text of the wrong type', { ...tgMessage('older', 1, 1, ['x']), text: 5 }, { malformed: 1 }],
    [
      'an entity without text',
      { ...tgMessage('current', 1, 1, ['x']), text_entities: [{ type: 'bold' }] },
      { malformed: 1 },
    ],
    ['no type', { ...tgMessage('current', 1, 1, ['x']), type: undefined }, { malformed: 1 }],
    [
      'an unknown type',
      { ...tgMessage('current', 1, 1, ['x']), type: 'poll_vote' },
      { 'unsupported-type': 1 },
    ],
    ['empty text and no media', tgMessage('current', 1, 1, ['  ']), { 'unsupported-type': 1 }],
    ['an unknown service action', tgService('current', 1, 'boost_apply'), { service: 1 }],
    [
      'a proto key',
      JSON.parse('{"__proto__": {"id": 1}, "type": "message", "text": "x"}'),
      { malformed: 1 },
    ],
  ];
  for (const [what, message, skipped] of cases) {
    it(what, () => {
      const [chat] = telegramToMimi(tgChat('x', [message, tgMessage('current', 99, 1, ['kept'])]));
      expect(chat?.plan.skipped).toEqual(skipped);
      expect(chat?.plan.items.map(view)).toEqual([['txt', 'kept', null]]);
    });
  }

  it('a duplicate ID is skipped; a reply to an unknown message is a plain message', () => {
    const [chat] = telegramToMimi(
      tgChat('x', [
        tgMessage('older', 1, 1, ['one']),
        tgMessage('older', 1, 1, ['again']),
        tgMessage('older', 2, 1, ['answer'], { reply_to_message_id: 77 }),
      ]),
    );
    expect(chat?.plan.items.map(view)).toEqual([
      ['txt', 'one', null],
      ['txt', 'answer', null],
    ]);
    expect(chat?.plan.skipped).toEqual({ duplicate: 1 });
  });

  it('cuts a huge text to the limit and counts it', () => {
    const [chat] = telegramToMimi(
      tgChat('x', [tgMessage('current', 1, 1, ['😀'.repeat(100_000)])]),
    );
    expect(chat?.plan.truncated).toBe(1);
    const body = chat?.plan.items[0]?.kind === 'message' ? chat.plan.items[0].body : undefined;
    expect(body?.kind === 'single' && body.content.length).toBeLessThanOrEqual(
      ImportLimits.maxTextBytes,
    );
  });
});

describe('a 100,000-message Telegram import', () => {
  it('reads at most maxEvents messages over all chats, and writes them in bounded batches', async () => {
    const n = ImportLimits.maxEvents;
    const messages = Array.from({ length: n }, (_, i) =>
      tgMessage(i % 2 === 0 ? 'current' : 'older', i + 1, 1 + (i % 3), [`m${i}`]),
    );
    const extra = [tgMessage('current', n + 1, 1, ['over the limit'])];
    const chats = telegramToMimi(tgAccount([tgChat('big', messages, 1), tgChat('more', extra, 2)]));
    expect(chats.map((c) => c.plan.items.length)).toEqual([n, 0]);
    expect(chats[1]?.plan.skipped).toEqual({ limit: 1 });

    // Writing all 100,000 through a client takes 15 s and more on a busy machine: the batches'
    // bounds show on a slice of several batches; the whole import's speed is in bench/.
    const slice = (chats[0]?.plan.items ?? []).slice(0, 4 * ImportLimits.maxBatchEntries + 7);
    const world = new World(81);
    const a = await world.add('a');
    const roomId = await a.createRoom({ name: 'big' });
    const progress: number[] = [];
    const report = await a.importHistory(roomId, slice, (done, total) => {
      expect(total).toBe(slice.length);
      progress.push(done);
    });
    expect(report).toEqual({ imported: slice.length, skipped: {} });
    // One progress event per signed update, none larger than a batch may be.
    expect(progress.at(-1)).toBe(slice.length);
    expect(progress.length).toBeGreaterThanOrEqual(slice.length / ImportLimits.maxBatchEntries);
    const steps = progress.map((d, i) => d - (progress[i - 1] ?? 0));
    expect(Math.max(...steps)).toBeLessThanOrEqual(ImportLimits.maxBatchEntries);
    const shown = texts(a, roomId);
    expect([shown.length, shown[0], shown.at(-1)]).toEqual([
      slice.length,
      'm0',
      `m${slice.length - 1}`,
    ]);
  });
});
