import { describe, expect, it } from 'vitest';
import { texts, World } from './world.ts';

describe('a device further behind than the epochs its peers keep', () => {
  it('rejoins by external commit when it is back, and catches up on the timeline', async () => {
    const world = new World(91, {}, { retainEpochs: 4 });
    const [a, b, c] = [await world.add('a'), await world.add('b'), await world.add('c')];
    const roomId = await a.createRoom({ name: 'start' });
    await world.invite(a, roomId, [b, c]);
    await c.send(roomId, 'c before');
    await world.settle();
    world.network.partition([[a.deviceId, b.deviceId], [c.deviceId]]);
    for (let i = 0; i < 8; i++) {
      await a.setRoomProfile(roomId, { topic: `topic ${i}` });
      await b.send(roomId, `b ${i}`);
    }
    await c.send(roomId, 'c while away');
    await world.settle();
    expect(c.room(roomId).epoch).toBeLessThan(a.room(roomId).epoch - 4n);

    world.network.heal();
    for (let i = 0; i < 4; i++) await world.tickAll();
    expect(c.room(roomId).epoch).toBe(a.room(roomId).epoch);
    expect(c.room(roomId).topic).toBe('topic 7');
    expect(a.room(roomId).devices).toHaveLength(3);
    expect(texts(c, roomId)).toEqual(texts(a, roomId));
    expect(texts(a, roomId)).toContain('c while away');
    await c.send(roomId, 'c is back');
    await world.settle();
    expect(texts(b, roomId).at(-1)).toBe('c is back');
  });

  it('makes again, on the chain it rejoins, the changes it committed while away', async () => {
    const world = new World(94, {}, { retainEpochs: 4 });
    const [a, b, c] = [await world.add('a'), await world.add('b'), await world.add('c')];
    const roomId = await a.createRoom({ name: 'start' });
    await world.invite(a, roomId, [b, c]);
    await a.setRole(roomId, c.userId, 'admin');
    await world.settle();
    world.network.partition([[a.deviceId, b.deviceId], [c.deviceId]]);
    for (let i = 0; i < 8; i++) await a.setRoomProfile(roomId, { topic: `topic ${i}` });
    await c.setRoomProfile(roomId, { name: 'named by c while away' });
    await world.settle();
    expect(c.room(roomId).epoch).toBeLessThan(a.room(roomId).epoch - 4n);

    world.network.heal();
    for (let i = 0; i < 4; i++) await world.tickAll();
    await world.settle();
    // c took a's chain (the topics stay), and its rename, lost with its own chain, was made
    // again on a's: what c's user asked for is not silently dropped.
    for (const x of [a, b, c]) {
      expect(x.room(roomId).epoch).toBe(a.room(roomId).epoch);
      expect(x.room(roomId).topic).toBe('topic 7');
      expect(x.room(roomId).name).toBe('named by c while away');
    }
  });

  it('two halves apart for longer than that end on one chain, with every message', async () => {
    const world = new World(92, {}, { retainEpochs: 4 });
    const [a, b, c, d] = [
      await world.add('a'),
      await world.add('b'),
      await world.add('c'),
      await world.add('d'),
    ];
    const roomId = await a.createRoom();
    await world.invite(a, roomId, [b, c, d]);
    await a.setRole(roomId, c.userId, 'admin');
    await world.settle();
    world.network.partition([
      [a.deviceId, b.deviceId],
      [c.deviceId, d.deviceId],
    ]);
    for (let i = 0; i < 6; i++) {
      await a.setRoomProfile(roomId, { name: `left ${i}` });
      await b.send(roomId, `left msg ${i}`);
      await c.setRoomProfile(roomId, { topic: `right ${i}` });
      await d.send(roomId, `right msg ${i}`);
    }
    await world.settle();
    world.network.heal();
    for (let i = 0; i < 6; i++) await world.tickAll();
    const epoch = a.room(roomId).epoch;
    for (const x of [b, c, d]) expect(x.room(roomId).epoch).toBe(epoch);
    for (const x of [b, c, d]) expect(texts(x, roomId)).toEqual(texts(a, roomId));
    expect(texts(a, roomId)).toHaveLength(12);
    expect(a.room(roomId).devices).toHaveLength(4);
  });
});

describe('a device that rejoins a chain on which a member was removed', () => {
  it('drops what that member wrote on the abandoned branch after its removal on the winner', async () => {
    const world = new World(93, {}, { retainEpochs: 4 });
    const [a, b, c, e] = [
      await world.add('a'),
      await world.add('b'),
      await world.add('c'),
      await world.add('e'),
    ];
    const roomId = await a.createRoom();
    await world.invite(a, roomId, [b, c, e]);
    await a.setRole(roomId, c.userId, 'admin');
    // Epochs that c keeps in its history but not in its chain; the last ones are in both.
    for (let i = 0; i < 3; i++) await a.setRoomProfile(roomId, { topic: `before ${i}` });
    await world.settle();
    await e.send(roomId, 'e while a member everywhere');
    await world.settle();
    world.network.partition([
      [a.deviceId, b.deviceId],
      [c.deviceId, e.deviceId],
    ]);
    // The left half removes e and moves on further than the right half keeps epochs.
    await a.remove(roomId, e.userId);
    for (let i = 0; i < 6; i++) await a.setRoomProfile(roomId, { name: `left ${i}` });
    // On the right, e is still a member: c accepts what e writes there.
    await c.setRoomProfile(roomId, { topic: 'right' });
    await world.settle();
    await e.send(roomId, 'e on the abandoned branch');
    await world.settle();
    expect(texts(c, roomId)).toContain('e on the abandoned branch');
    expect(c.room(roomId).epoch).toBeLessThan(a.room(roomId).epoch - 4n);

    world.network.heal();
    for (let i = 0; i < 4; i++) await world.tickAll();
    // c took a's chain (by external commit) and holds what a device that only saw it holds.
    expect(c.room(roomId).epoch).toBe(a.room(roomId).epoch);
    expect(c.room(roomId).name).toBe('left 5');
    expect(texts(a, roomId)).toEqual(['e while a member everywhere']);
    expect(texts(c, roomId)).toEqual(texts(a, roomId));
    expect(texts(b, roomId)).toEqual(texts(a, roomId));
    // The same after a restart: the verdicts and the forgotten epochs were stored.
    const reopened = await world.restart(c);
    expect(texts(reopened, roomId)).toEqual(texts(a, roomId));
  });
});
