import { describe, expect, it } from 'vitest';
import { texts, World } from './world.ts';

describe('history for members who join later', () => {
  it('a newcomer receives the history, including messages of members who have left', async () => {
    const world = new World(71);
    const [a, b, c] = [await world.add('a'), await world.add('b'), await world.add('c')];
    const roomId = await a.createRoom();
    await world.invite(a, roomId, [b]);
    await a.send(roomId, 'one');
    await b.send(roomId, 'two, from b');
    await world.settle();
    await b.leave(roomId);
    await world.settle();
    await world.invite(a, roomId, [c]);
    await world.tickAll();
    expect(texts(c, roomId)).toEqual(['one', 'two, from b']);
    expect(c.syncStatus(roomId).complete).toBe(true);
  });

  it('a member that learned history can hand it on after a restart, with its authors', async () => {
    const world = new World(72);
    const [a, b, c, d] = [
      await world.add('a'),
      await world.add('b'),
      await world.add('c'),
      await world.add('d'),
    ];
    const roomId = await a.createRoom();
    await world.invite(a, roomId, [b]);
    await b.send(roomId, 'from b, who leaves');
    await world.settle();
    await b.leave(roomId);
    await world.settle();
    await world.invite(a, roomId, [c]);
    await world.tickAll();
    const c2 = await world.restart(c);
    await a.setRole(roomId, c2.userId, 'admin');
    await world.settle();
    // Only c2 can serve d: a is cut off once d is invited.
    await world.invite(c2, roomId, [d]);
    world.network.partition([
      [a.deviceId, b.deviceId],
      [c2.deviceId, d.deviceId],
    ]);
    for (let i = 0; i < 3; i++) await world.tickAll();
    expect(texts(d, roomId)).toEqual(['from b, who leaves']);
  });
});
