import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportToImport, parseExport } from '@kith/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageView, RoomView, Whoami } from '../../src/app/views.ts';
import { runKith, type Daemon } from '../../src/demo/daemon-process.ts';
import type { RelayProcess } from '@kith/relay/process';
import { exchangeContacts, removeAll, startDaemons } from './cast.ts';

/** The Matrix spec's event examples, read in place (shared/ sits beside the repository). */
const SAMPLES = new URL('../../../../../shared/samples/matrix/', import.meta.url);

type Json = Record<string, unknown>;

/** A sample with its `$ref` chain resolved: the full event a Matrix client's export holds. */
async function sample(name: string, change: Json = {}): Promise<Json> {
  const own = JSON.parse(await readFile(new URL(name, SAMPLES), 'utf8')) as Json;
  const ref = own['$ref'];
  delete own['$ref'];
  const base = typeof ref === 'string' ? await sample(ref.replace(/^core\//, '')) : {};
  return { ...base, ...own, ...change };
}

/** An Element-style export of a room built from the samples: Alice and Bob talking. */
async function matrixExport(): Promise<Json> {
  const alice = '@alice:example.org';
  const bob = '@bob:example.org';
  const at = (ts: number, id: string, sender: string) => ({
    origin_server_ts: ts,
    event_id: id,
    sender,
  });
  return {
    room_name: 'Matrix team',
    messages: [
      await sample('m.room.member.yaml', { ...at(1, '$m1', alice), state_key: alice }),
      await sample('m.room.member.yaml', {
        ...at(2, '$m2', bob),
        state_key: bob,
        content: { membership: 'join', displayname: 'Bob B' },
      }),
      await sample('m.room.power_levels.yaml', at(3, '$p', alice)),
      await sample('m.room.message$m.text.yaml', at(10, '$text', alice)),
      await sample('m.room.message$m.notice.yaml', at(20, '$notice', bob)),
      await sample('m.room.message$m.emote.yaml', at(30, '$emote', bob)),
      await sample('m.room.message$m.image.yaml', at(40, '$image', alice)),
      await sample('m.room.message$m.text.yaml', {
        ...at(50, '$reply', bob),
        content: {
          msgtype: 'm.text',
          body: '> <@alice:example.org> This is an example text message\n\nagreed',
          'm.relates_to': { 'm.in_reply_to': { event_id: '$text' } },
        },
      }),
      await sample('m.room.message$m.text.yaml', {
        ...at(60, '$edit', alice),
        content: {
          msgtype: 'm.text',
          body: '* an edited example',
          'm.new_content': { msgtype: 'm.text', body: 'an edited example' },
          'm.relates_to': { rel_type: 'm.replace', event_id: '$text' },
        },
      }),
      await sample('m.reaction.yaml', {
        ...at(70, '$react', bob),
        content: { 'm.relates_to': { rel_type: 'm.annotation', event_id: '$text', key: '👍' } },
      }),
      await sample('m.room.redaction.yaml', {
        ...at(80, '$redact', bob),
        content: { redacts: '$notice' },
      }),
      await sample('m.room.encrypted$megolm.yaml', at(90, '$enc', alice)),
    ],
  };
}

describe('porting history: Matrix import, Kith export and re-import, across real daemons', () => {
  let relay: RelayProcess;
  let ana: Daemon;
  let ben: Daemon;
  let me: Record<string, Whoami> = {};
  let dir = '';
  let roomId = '';

  beforeAll(async () => {
    ({
      relay,
      daemons: [ana, ben],
      me,
    } = await startDaemons(['ana', 'ben'] as const));
    await exchangeContacts(me, ana, [ben]);
    dir = await mkdtemp(join(tmpdir(), 'kith-history-'));
    await writeFile(join(dir, 'matrix.json'), JSON.stringify(await matrixExport()));
  }, 60_000);
  afterAll(async () => {
    await removeAll(relay, [ana, ben]);
    await rm(dir, { recursive: true, force: true });
  });

  const messages = (d: Daemon, room: string): Promise<MessageView[]> =>
    d.call<MessageView[]>('messages', { roomId: room, markRead: false });

  it('kith import writes a Matrix export into a room; the other member sees the original senders', async () => {
    ({ roomId } = await ana.call<{ roomId: string }>('createRoom', {
      name: 'ported',
      members: [me['ben']?.userId],
    }));
    await ben.until('joining', async () =>
      (await ben.call<RoomView[]>('rooms')).some((r) => r.roomId === roomId),
    );
    const run = await runKith([
      '--data-dir',
      ana.dataDir,
      'import',
      join(dir, 'matrix.json'),
      '--room',
      roomId,
    ]);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^imported 8 messages into [0-9a-f]+ \(skipped 4: /);
    expect(run.stdout).toContain('3 state');
    expect(run.stdout).toContain('1 encrypted');

    // Five messages (one of them retracted, as Bob redacted his notice), an edit, a reaction.
    const shown = async () => (await messages(ben, roomId)).filter((m) => !m.retracted);
    await ben.until('the imported history', async () => (await shown()).length === 4);
    const seen = await shown();
    const all = await messages(ben, roomId);
    // Retracted: its body is purged, original sender included.
    expect(all.filter((m) => m.retracted).map((m) => [m.text, m.imported])).toEqual([
      ['', undefined],
    ]);
    expect(seen.map((m) => [m.imported?.sender, m.imported?.senderName, m.text])).toEqual([
      ['@alice:example.org', 'Alice Margatroid', 'an edited example'],
      ['@bob:example.org', 'Bob B', '\\* bob thinks **this** is an example emote'],
      [
        '@alice:example.org',
        'Alice Margatroid',
        '[image] filename.jpg (image/jpeg, 31037 bytes) mxc://example.org/JWEIFJgwEIhweiWJE',
      ],
      ['@bob:example.org', 'Bob B', 'agreed'],
    ]);
    const [text, , , reply] = seen;
    expect(text).toMatchObject({ edited: true, markdown: false, imported: { ts: 10 } });
    expect(text?.reactions['👍']).toEqual([me['ana']?.userId]);
    expect(reply?.replyTo).toBe(text?.messageId);
    expect(reply?.quote?.text).toBe('an edited example');
    // Every imported message is the importer's: signed by ana's device, shown as imported.
    expect(new Set(seen.map((m) => m.sender))).toEqual(new Set([me['ana']?.userId]));
  });

  it('importHistory without a room makes a new one named after the Matrix room', async () => {
    const result = await ana.call<{ roomId: string; imported: number; skipped: number }>(
      'importHistory',
      { path: join(dir, 'matrix.json'), format: 'matrix' },
    );
    expect(result).toMatchObject({ imported: 8, skipped: 4 });
    const room = (await ana.call<RoomView[]>('rooms')).find((r) => r.roomId === result.roomId);
    expect(room?.name).toBe('Matrix team');
    expect(await messages(ana, result.roomId)).toHaveLength(5);
  });

  it('kith export writes the room; the file parses back and re-imports as the same history', async () => {
    const file = join(dir, 'ported.kith.jsonl');
    const run = await runKith(['--data-dir', ana.dataDir, 'export', roomId, file]);
    expect(run.stdout).toBe(`exported 5 messages to ${file}\n`); // 4 messages and 1 edit
    const text = await readFile(file, 'utf8');
    const parsed = parseExport(text);
    expect(parsed.name).toBe('ported');
    expect(parsed.records).toHaveLength(5);
    expect(exportToImport(parsed).skipped).toEqual({});

    const again = await ana.call<{ roomId: string; imported: number }>('importHistory', {
      path: file,
      format: 'kith',
      name: 'second life',
    });
    // The retracted message had nothing left to export.
    const before = (await messages(ana, roomId)).filter((m) => !m.retracted);
    const after = await messages(ana, again.roomId);
    const shape = (list: MessageView[]) =>
      list.map((m) => ({
        text: m.text,
        from: m.imported?.sender,
        name: m.imported?.senderName,
        ts: m.imported?.ts,
        edited: m.edited,
        reply: list.findIndex((x) => x.messageId === m.replyTo),
        reactions: Object.keys(m.reactions),
      }));
    expect(shape(after)).toEqual(shape(before));
  });

  it('refuses a file that is not an export, and a room the device is not in, changing nothing', async () => {
    await writeFile(join(dir, 'junk.jsonl'), 'not an export\n');
    const junk = await ana.rpc('importHistory', { path: join(dir, 'junk.jsonl'), format: 'kith' });
    expect(junk.error).toMatchObject({ code: -32602, data: { kithCode: 'EXPORT_MALFORMED' } });
    const missing = await ana.rpc('importHistory', { path: join(dir, 'nope.json') });
    expect(missing.error).toMatchObject({ code: -32602 });
    const rooms = (await ana.call<RoomView[]>('rooms')).length;
    const foreign = await ben.rpc('importHistory', {
      path: join(dir, 'matrix.json'),
      roomId: 'ab'.repeat(16),
    });
    expect(foreign.error).toMatchObject({ code: 1001 });
    expect((await ana.call<RoomView[]>('rooms')).length).toBe(rooms);
  });
});
