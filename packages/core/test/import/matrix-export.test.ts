import { describe, expect, it } from 'vitest';
import { MediaTypes } from '../../src/content/parts.ts';
import { toHex } from '../../src/crypto/bytes.ts';
import type { KithClient } from '../../src/client/kith-client.ts';
import type { RoomId } from '../../src/ids.ts';
import { exportMatrix, matrixUserId } from '../../src/import/matrix-export.ts';
import { matrixToMimi } from '../../src/import/matrix.ts';
import { texts, World } from '../client/world.ts';

/** What must survive Kith → Matrix JSON → Kith: texts, types, replies, threads, edits, reactions. */
function shape(client: KithClient, roomId: RoomId) {
  const timeline = client.timeline(roomId);
  const shown = texts(client, roomId);
  const textOf = new Map(timeline.map((m, i) => [toHex(m.messageId), shown[i]]));
  return timeline.map((m, i) => ({
    text: shown[i],
    markdown:
      m.content.body.kind === 'single' && m.content.body.contentType === MediaTypes.markdown,
    replyTo: m.inReplyTo === undefined ? null : (textOf.get(toHex(m.inReplyTo)) ?? '?'),
    thread: m.topicId === undefined ? null : (textOf.get(toHex(m.topicId)) ?? '?'),
    versions: m.edits.length,
    reactions: [...m.reactions.keys()],
  }));
}

describe('Matrix export', () => {
  it('Kith → Matrix JSON (Element layout) → Kith keeps text, replies, threads, edits and reactions', async () => {
    const world = new World(73);
    const [a, b] = [await world.add('a'), await world.add('b')];
    const roomId = await a.createRoom({ name: 'old' });
    await world.invite(a, roomId, [b]);
    const first = await a.send(roomId, 'first');
    await world.settle();
    await b.send(roomId, 'an **answer**', { replyTo: first, markdown: true });
    await a.edit(roomId, first, 'first, edited');
    await a.edit(roomId, first, 'first, edited twice');
    await b.react(roomId, first, '🎉');
    await a.react(roomId, first, '🎉');
    await a.react(roomId, first, '👀');
    const root = await a.send(roomId, 'thread root');
    await world.settle();
    const inThread = await b.send(roomId, 'in the thread', { threadId: root });
    await world.settle();
    await a.send(roomId, 'answer in the thread', { threadId: root, replyTo: inThread });
    const gone = await a.send(roomId, 'gone soon');
    await a.retract(roomId, gone);
    await world.settle();

    const file = exportMatrix({
      roomId,
      name: 'old',
      exportedBy: a.userId,
      now: 1_700_000_000_000,
      timeline: a.timeline(roomId),
      members: [
        { userId: a.userId, displayName: 'Ann' },
        { userId: b.userId, displayName: 'Bob' },
      ],
    });
    const json = JSON.parse(file) as { messages: Record<string, unknown>[] };
    expect(json).toMatchObject({
      room_name: 'old',
      exported_by: matrixUserId(a.userId),
      export_date: '2023-11-14T22:13:20.000Z',
    });
    expect(json.messages.map((e) => e['type'])).toEqual([
      'm.room.member',
      'm.room.member',
      'm.room.message',
      'm.room.message',
      'm.room.message',
      'm.reaction',
      'm.reaction',
      'm.reaction',
      'm.room.message',
      'm.room.message',
      'm.room.message',
      'm.room.message',
    ]);
    expect(
      json.messages.every(
        (e) => typeof e['event_id'] === 'string' && e['event_id'].startsWith('$'),
      ),
    ).toBe(true);

    const plan = matrixToMimi(json);
    // The importer reacts for everyone: a second 🎉 by another user is the same reaction.
    expect(plan.skipped).toEqual({ 'duplicate-reaction': 1, state: 2 });
    expect(plan.roomName).toBe('old');
    const fresh = await a.createRoom({ name: 'new' });
    await a.importHistory(fresh, plan.items);
    const before = shape(a, roomId).filter((m) => m.text !== '<retracted>');
    const after = shape(a, fresh);
    // Reactions of one emoji by several users become one (imports react as the importer).
    expect(after).toEqual(before.map((m) => ({ ...m, reactions: [...new Set(m.reactions)] })));
    expect(after.map((m) => m.versions)).toEqual([3, 1, 1, 1, 1]);
    expect(after.map((m) => m.thread)).toEqual([null, null, null, 'thread root', 'thread root']);
    expect(after.map((m) => m.replyTo)).toEqual([
      null,
      'first, edited twice',
      null,
      null,
      'in the thread',
    ]);
    expect(a.timeline(fresh).map((m) => [m.imported?.sender, m.imported?.name])).toEqual(
      [a, b, a, b, a].map((c) => [matrixUserId(c.userId), c === a ? 'Ann' : 'Bob']),
    );
  });

  it('an imported Matrix message keeps its Matrix author; an empty room is an empty list', async () => {
    const world = new World(74);
    const a = await world.add('a');
    const roomId = await a.createRoom();
    const empty = JSON.parse(
      exportMatrix({ roomId, exportedBy: a.userId, now: 0, timeline: a.timeline(roomId) }),
    ) as { messages: unknown[] };
    expect(empty.messages).toEqual([]);
    const plan = matrixToMimi([
      {
        type: 'm.room.message',
        event_id: '$x',
        sender: '@alice:example.org',
        origin_server_ts: 5,
        content: { msgtype: 'm.text', body: 'hi' },
      },
    ]);
    await a.importHistory(roomId, plan.items);
    const out = JSON.parse(
      exportMatrix({ roomId, exportedBy: a.userId, now: 0, timeline: a.timeline(roomId) }),
    ) as { messages: Record<string, unknown>[] };
    expect(out.messages[0]).toMatchObject({ sender: '@alice:example.org', origin_server_ts: 5 });
  });
});
