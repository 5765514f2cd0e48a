import { describe, expect, it } from 'vitest';
import { texts, World } from '../client/world.ts';

describe('a restored user rejoins', () => {
  it('when a fellow member adds the restored device to the room', async () => {
    const world = new World(303);
    const [a, b] = [await world.add('a'), await world.add('b')];
    const roomId = await a.createRoom({ name: 'ours' });
    await world.invite(a, roomId, [b]);
    await a.send(roomId, 'before the loss');
    await world.settle();
    const key = a.userIdentity?.keyPair.secretKey ?? new Uint8Array();
    const a2 = await world.add('a restored', { restoredUserKey: key });
    await world.invite(b, roomId, [a2]);
    await world.tickAll();
    expect(b.room(roomId).devices.filter((d) => d.userId === a.userId)).toHaveLength(2);
    expect(texts(a2, roomId)).toEqual(['before the loss']);
    await a2.send(roomId, 'back again');
    await world.settle();
    expect(texts(b, roomId)).toEqual(['before the loss', 'back again']);
    expect(b.timeline(roomId)[1]?.sender).toBe(a.userId);
  });
});
