import { describe, expect, it } from 'vitest';
import { texts, World } from './world.ts';

describe('a device that switches to the winner of a fork', () => {
  it('drops what a member wrote on the losing branch when the winner removed it', async () => {
    const world = new World(94);
    const [o, b, d, x] = [
      await world.add('o'),
      await world.add('b'),
      await world.add('d'),
      await world.add('x'),
    ];
    const roomId = await o.createRoom();
    await world.invite(o, roomId, [b, d, x]);
    await o.setRole(roomId, b.userId, 'admin');
    await x.send(roomId, 'x while a member everywhere');
    await world.settle();
    world.network.partition([[o.deviceId], [b.deviceId, d.deviceId, x.deviceId]]);
    // Two commits for one epoch: the owner's removal of x wins over the admin's topic change.
    await o.remove(roomId, x.userId);
    await b.setRoomProfile(roomId, { topic: 'losing branch' });
    await world.settle();
    // On the losing branch x is still a member: d accepts what x writes there, in that epoch.
    await x.send(roomId, 'x on the losing branch');
    await world.settle();
    expect(texts(d, roomId)).toContain('x on the losing branch');

    world.network.heal();
    for (let i = 0; i < 3; i++) await world.tickAll();
    const epoch = o.room(roomId).epoch;
    for (const c of [b, d]) expect(c.room(roomId).epoch).toBe(epoch);
    expect(d.room(roomId).devices).toHaveLength(3);
    // The admin's change was made again on the winner.
    expect(d.room(roomId).topic).toBe('losing branch');
    expect(texts(o, roomId)).toEqual(['x while a member everywhere']);
    for (const c of [b, d]) expect(texts(c, roomId)).toEqual(texts(o, roomId));
    const reopened = await world.restart(d);
    expect(texts(reopened, roomId)).toEqual(texts(o, roomId));
  });
});
