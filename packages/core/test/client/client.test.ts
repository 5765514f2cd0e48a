import { describe, expect, it } from 'vitest';
import { Roles } from '../../src/room/roles.ts';
import { texts, World } from './world.ts';

describe('KithClient on a simulated network', () => {
  it('creates a room, invites two users, and everyone sees the same timeline', async () => {
    const world = new World(1);
    const [a, b, c] = [await world.add('a'), await world.add('b'), await world.add('c')];
    const roomId = await a.createRoom({ name: 'friends' });
    await world.invite(a, roomId, [b, c]);
    expect(b.rooms().map((r) => r.roomId)).toEqual([roomId]);
    expect(c.room(roomId).participants).toHaveLength(3);
    await a.send(roomId, 'hello');
    await world.settle();
    await b.send(roomId, 'hi a');
    await world.settle();
    await c.send(roomId, 'hey all');
    await world.settle();
    const expected = ['hello', 'hi a', 'hey all'];
    for (const client of [a, b, c]) expect(texts(client, roomId)).toEqual(expected);
    expect(a.roomState(roomId).participants.get(b.userId)).toBe(Roles.member);
  });
});
