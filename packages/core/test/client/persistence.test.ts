import { describe, expect, it } from 'vitest';
import { texts, World } from './world.ts';

describe('persistence', () => {
  it('closing and reopening a device gives back the same rooms, timeline and keys', async () => {
    const world = new World(41);
    const [a, b] = [await world.add('a'), await world.add('b')];
    const roomId = await a.createRoom({ name: 'kept' });
    await world.invite(a, roomId, [b]);
    for (let i = 0; i < 5; i++) await b.send(roomId, `m${i}`);
    await world.settle();
    const before = { room: b.room(roomId), timeline: texts(b, roomId), user: b.userId };
    const b2 = await world.restart(b);
    expect(b2.userId).toBe(before.user);
    expect(b2.room(roomId)).toEqual(before.room);
    expect(texts(b2, roomId)).toEqual(before.timeline);
    // The reopened device keeps talking in the same epoch chain.
    await b2.send(roomId, 'after restart');
    await a.send(roomId, 'welcome back');
    await world.settle();
    expect(texts(a, roomId)).toEqual([...before.timeline, 'after restart', 'welcome back']);
    expect(texts(b2, roomId)).toEqual(texts(a, roomId));
  });

  it('what a device sent while nobody could hear it is still sent after a restart', async () => {
    const world = new World(42);
    const [a, b] = [await world.add('a'), await world.add('b')];
    const roomId = await a.createRoom();
    await world.invite(a, roomId, [b]);
    world.network.partition([[a.deviceId], [b.deviceId]]);
    await b.send(roomId, 'into the void');
    await world.settle();
    expect(b.syncStatus(roomId).unsent).toBe(1);
    const b2 = await world.restart(b);
    expect(b2.syncStatus(roomId).unsent).toBe(1);
    world.network.heal();
    for (let i = 0; i < 3; i++) await world.tickAll();
    expect(texts(a, roomId)).toEqual(['into the void']);
    expect(b2.syncStatus(roomId).unsent).toBe(0);
  });

  it('a long room reopens from its snapshot plus the updates stored after it', async () => {
    const world = new World(43);
    const [a, b] = [await world.add('a'), await world.add('b')];
    const roomId = await a.createRoom();
    await world.invite(a, roomId, [b]);
    for (let i = 0; i < 1100; i++) {
      await a.send(roomId, `m${i}`);
      if (i % 100 === 99) await world.settle();
    }
    await world.settle();
    await b.send(roomId, 'tail');
    await world.settle();
    const before = texts(b, roomId);
    expect(before).toHaveLength(1101);
    const b2 = await world.restart(b);
    expect(texts(b2, roomId)).toEqual(before);
  }, 60_000);
});
