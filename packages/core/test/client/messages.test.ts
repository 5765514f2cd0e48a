import { describe, expect, it } from 'vitest';
import { bytesEqual } from '../../src/crypto/bytes.ts';
import { texts, World } from './world.ts';

async function trio(seed: number) {
  const world = new World(seed);
  const [a, b, c] = [await world.add('a'), await world.add('b'), await world.add('c')];
  const roomId = await a.createRoom();
  await world.invite(a, roomId, [b, c]);
  return { world, a, b, c, roomId };
}

describe('messages through the client', () => {
  it('reply, thread, edit with history, reactions added and removed, retraction', async () => {
    const { world, a, b, c, roomId } = await trio(61);
    const first = await a.send(roomId, 'first');
    await world.settle();
    const reply = await b.send(roomId, 'a reply', { replyTo: first });
    const thread = await c.send(roomId, 'in the thread', { threadId: Uint8Array.of(1, 2, 3) });
    await world.settle();
    await a.edit(roomId, first, 'first, edited');
    await b.react(roomId, first, '👍');
    await c.react(roomId, first, '👍');
    await world.settle();
    await c.unreact(roomId, first, '👍');
    await b.retract(roomId, reply);
    await world.settle();
    for (const x of [a, b, c]) {
      const byId = (id: Uint8Array) => x.timeline(roomId).find((m) => bytesEqual(m.messageId, id));
      const m = byId(first);
      expect(m?.edited).toBe(true);
      expect(m?.edits).toHaveLength(2);
      expect([...(m?.reactions.get('👍') ?? [])]).toEqual([b.userId]);
      expect(byId(reply)?.retracted).toBe(true);
      expect(byId(reply)?.inReplyTo).toEqual(first);
      expect(byId(thread)?.topicId).toEqual(Uint8Array.of(1, 2, 3));
      expect(texts(x, roomId)).toEqual(texts(a, roomId));
      expect(texts(x, roomId)).toContain('first, edited');
    }
  });

  it("editing or retracting someone else's message is refused; a moderator retracts anyone's", async () => {
    const { world, a, b, c, roomId } = await trio(62);
    const mine = await a.send(roomId, "a's message");
    await world.settle();
    await expect(b.edit(roomId, mine, 'hijacked')).rejects.toMatchObject({ code: 'NOT_ALLOWED' });
    await expect(b.retract(roomId, mine)).rejects.toMatchObject({ code: 'NOT_ALLOWED' });
    await a.setRole(roomId, c.userId, 'moderator');
    await world.settle();
    await c.retract(roomId, mine);
    await world.settle();
    for (const x of [a, b, c]) expect(x.timeline(roomId)[0]?.retractedBy).toBe(c.userId);
    await expect(a.edit(roomId, mine, 'too late')).rejects.toMatchObject({
      code: 'UNKNOWN_MESSAGE',
    });
  });
});
