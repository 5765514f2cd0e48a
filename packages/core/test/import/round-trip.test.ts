import { describe, expect, it } from 'vitest';
import { bytesEqual, toHex } from '../../src/crypto/bytes.ts';
import { fromBase64, toBase64 } from '../../src/import/base64.ts';
import { exportHistory } from '../../src/import/export.ts';
import { parseExport } from '../../src/import/export-parse.ts';
import { exportToImport } from '../../src/import/kith-import.ts';
import { matrixToMimi } from '../../src/import/matrix.ts';
import type { KithClient } from '../../src/client/kith-client.ts';
import type { RoomId } from '../../src/ids.ts';
import { userUri } from '../../src/timeline/uris.ts';
import { texts, World } from '../client/world.ts';
import { event } from './samples.ts';

/** Texts with what they answer and whether they were edited: what must survive a round trip. */
function shape(client: KithClient, roomId: RoomId) {
  const timeline = client.timeline(roomId);
  const textOf = new Map(
    timeline.map((m) => [toHex(m.messageId), texts(client, roomId)[timeline.indexOf(m)]]),
  );
  return timeline.map((m, i) => ({
    text: texts(client, roomId)[i],
    replyTo: m.inReplyTo === undefined ? null : (textOf.get(toHex(m.inReplyTo)) ?? '?'),
    edits: m.edits.length,
    reactions: [...m.reactions.keys()],
  }));
}

describe('export and import of a room’s history', () => {
  it('export → parseExport → import into a new room keeps texts, replies, edits and reactions', async () => {
    const world = new World(71);
    const [a, b] = [await world.add('a'), await world.add('b')];
    const roomId = await a.createRoom({ name: 'old' });
    await world.invite(a, roomId, [b]);
    const first = await a.send(roomId, 'first');
    await world.settle();
    await b.send(roomId, 'an answer', { replyTo: first });
    await a.edit(roomId, first, 'first, edited');
    await b.react(roomId, first, '🎉');
    const gone = await a.send(roomId, 'gone soon');
    await a.retract(roomId, gone);
    await world.settle();

    const file = exportHistory({ roomId, name: 'old', timeline: a.timeline(roomId) });
    const lines = file.trim().split('\n');
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({
      format: 'kith-history',
      version: 1,
      name: 'old',
      messages: 3,
    });
    const parsed = parseExport(file);
    expect(parsed.records.map((r) => r.sender)).toEqual([
      userUri(a.userId),
      userUri(a.userId),
      userUri(b.userId),
    ]);

    const plan = exportToImport(parsed);
    expect(plan.skipped).toEqual({});
    const fresh = await a.createRoom({ name: 'new' });
    await world.invite(a, fresh, [b]);
    const progress: [number, number][] = [];
    const report = await a.importHistory(fresh, plan.items, (done, total) =>
      progress.push([done, total]),
    );
    expect(report).toEqual({ imported: plan.items.length, skipped: {} });
    expect(progress.at(-1)).toEqual([plan.items.length, plan.items.length]);
    await world.settle();

    for (const x of [a, b]) {
      // A retracted message has nothing left to export.
      const kept = shape(a, roomId).filter((m) => m.text !== '<retracted>');
      expect(shape(x, fresh)).toEqual(kept);
      const [m1, m2] = x.timeline(fresh);
      // Every imported message is the importer's, and shows who wrote it first and when.
      expect(m1?.sender).toBe(a.userId);
      expect(m2?.sender).toBe(a.userId);
      expect(m1?.imported).toEqual({ sender: userUri(a.userId), ts: a.timeline(roomId)[0]?.ts });
      expect(m2?.imported?.sender).toBe(userUri(b.userId));
    }
    // Messages written here are not imported.
    expect(a.timeline(roomId)[0]?.imported).toBeUndefined();

    // Re-exporting imported history keeps the first origin.
    const again = exportToImport(
      parseExport(exportHistory({ roomId: fresh, timeline: a.timeline(fresh) })),
    );
    expect(again.items.filter((i) => i.kind === 'message')[1]?.origin.sender).toBe(
      userUri(b.userId),
    );
  });

  it('imports Matrix history in batches, and only with the right to send', async () => {
    const world = new World(72);
    const [a, b] = [await world.add('a'), await world.add('b')];
    const roomId = await a.createRoom();
    await world.invite(a, roomId, [b]);
    const events = Array.from({ length: 600 }, (_, i) =>
      event('m.room.message$m.text.yaml', {
        event_id: `$${i}`,
        origin_server_ts: 1_000 + i,
        sender: i % 2 === 0 ? '@alice:example.org' : '@bob:example.org',
        content: {
          msgtype: 'm.text',
          body: `m${i}`,
          ...(i > 0 ? { 'm.relates_to': { 'm.in_reply_to': { event_id: `$${i - 1}` } } } : {}),
        },
      }),
    );
    const plan = matrixToMimi(events);
    const progress: number[] = [];
    const report = await a.importHistory(roomId, plan.items, (done) => progress.push(done));
    expect(report.imported).toBe(600);
    expect(progress.length).toBeGreaterThan(1); // more than one signed update
    await world.settle();
    const seen = b.timeline(roomId);
    expect(seen.map((m) => m.imported?.sender)).toEqual(events.map((e) => e['sender']));
    expect(
      seen.every(
        (m, i) =>
          i === 0 ||
          bytesEqual(m.inReplyTo ?? new Uint8Array(), seen[i - 1]?.messageId ?? new Uint8Array()),
      ),
    ).toBe(true);

    // b, a plain member, may send: fine. Banned from sending, nothing is written.
    await a.setRole(roomId, b.userId, 'member');
    await world.settle();
    const small = matrixToMimi(events.slice(0, 3));
    await expect(b.importHistory(roomId, small.items)).resolves.toMatchObject({ imported: 3 });
  });
});

describe('parseExport', () => {
  const world = new World(73);
  const made = (async () => {
    const a = await world.add('a');
    const roomId = await a.createRoom({ name: 'r' });
    await a.send(roomId, 'one');
    await a.send(roomId, 'two');
    return exportHistory({ roomId, timeline: a.timeline(roomId) });
  })();

  const cases: [string, (file: string) => string, string][] = [
    ['not JSON', () => 'hello', 'EXPORT_MALFORMED'],
    ['another format', () => '{"format":"x","version":1}', 'EXPORT_NOT_KITH'],
    [
      'a later version',
      (f) => f.replace('"version":1', '"version":2'),
      'EXPORT_UNSUPPORTED_VERSION',
    ],
    [
      'a record with a bad id',
      (f) => f.replace(/"id":"[0-9a-f]{4}/, '"id":"zzzz'),
      'EXPORT_MALFORMED',
    ],
    [
      'a record of another room',
      (f) => f.replace(/"room":"[^"]+"/, '"room":"kith:room/00"'),
      'EXPORT_MISMATCH',
    ],
    [
      'content changed',
      (f) =>
        f.replace(
          /"ts":(\d+),"content":"(.)/,
          (_, ts: string, c: string) => `"ts":${ts},"content":"${c === 'h' ? 'i' : 'h'}`,
        ),
      'EXPORT_MISMATCH',
    ],
    [
      'content not base64',
      (f) => f.replace(/"content":"[^"]+"/, '"content":"@@@@"'),
      'EXPORT_MALFORMED',
    ],
    [
      'sender of the wrong type',
      (f) => f.replace(/"sender":"[^"]+"/, '"sender":5'),
      'EXPORT_MALFORMED',
    ],
  ];
  for (const [what, change, code] of cases) {
    it(`refuses ${what} with ${code}`, async () => {
      const file = change(await made);
      expect(() => parseExport(file)).toThrow(expect.objectContaining({ code }));
    });
  }

  it('reads its own export', async () => {
    expect(parseExport(await made).records).toHaveLength(2);
  });

  it('base64 round-trips and refuses non-canonical text', () => {
    for (let n = 0; n < 8; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => i * 37 + n);
      expect(fromBase64(toBase64(bytes))).toEqual(bytes);
      expect(toBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
    }
    expect(fromBase64('QR==')).toBeUndefined(); // leftover bits set
    expect(fromBase64('QQ=')).toBeUndefined();
  });
});
