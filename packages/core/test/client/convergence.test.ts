import { describe, expect, it } from 'vitest';
import type { KithClient } from '../../src/client/kith-client.ts';
import type { RoomId } from '../../src/ids.ts';
import { texts, World } from './world.ts';

/** What must be equal on every honest device: epoch, room state and timeline. */
function view(client: KithClient, roomId: RoomId): unknown {
  const room = client.room(roomId);
  return {
    epoch: room.epoch,
    name: room.name,
    participants: [...room.participants].sort((x, y) => (x.userId < y.userId ? -1 : 1)),
    devices: room.devices.length,
    timeline: texts(client, roomId),
  };
}

async function converge(world: World, rounds = 6): Promise<void> {
  world.network.heal();
  world.network.configure({ dropProbability: 0, duplicateProbability: 0 });
  for (let i = 0; i < rounds; i++) await world.tickAll();
}

describe('convergence', () => {
  it('two members commit in the same epoch: all end on one chain and both changes land', async () => {
    const world = new World(11, { minDelayMs: 5, maxDelayMs: 50, reorder: true });
    const [a, b, c] = [await world.add('a'), await world.add('b'), await world.add('c')];
    const roomId = await a.createRoom({ name: 'start' });
    await world.invite(a, roomId, [b, c]);
    await a.setRole(roomId, b.userId, 'moderator');
    await world.settle();
    // Concurrent: a renames, b changes the topic, both at the same epoch.
    await Promise.all([
      a.setRoomProfile(roomId, { name: 'from a' }),
      b.setRoomProfile(roomId, { topic: 'from b' }),
    ]);
    await world.settle();
    await converge(world);
    const views = [a, b, c].map((x) => view(x, roomId));
    expect(views[1]).toEqual(views[0]);
    expect(views[2]).toEqual(views[0]);
    expect(a.room(roomId).name).toBe('from a');
    expect(a.room(roomId).topic).toBe('from b');
  });

  it('messages sent on a losing branch are not lost', async () => {
    const world = new World(12, { minDelayMs: 5, maxDelayMs: 40, reorder: true });
    const [a, b, c] = [await world.add('a'), await world.add('b'), await world.add('c')];
    const roomId = await a.createRoom();
    await world.invite(a, roomId, [b, c]);
    await a.setRole(roomId, b.userId, 'admin');
    await world.settle();
    await Promise.all([
      a.setRoomProfile(roomId, { name: 'x' }),
      b.setRoomProfile(roomId, { topic: 'y' }),
    ]);
    await Promise.all([a.send(roomId, 'a on its branch'), b.send(roomId, 'b on its branch')]);
    await world.settle();
    await converge(world);
    for (const x of [a, b, c]) {
      expect(texts(x, roomId).sort()).toEqual(['a on its branch', 'b on its branch']);
    }
    expect(view(b, roomId)).toEqual(view(a, roomId));
    expect(view(c, roomId)).toEqual(view(a, roomId));
    // Every device reopens on the winning chain, whichever branch it had been on.
    for (const x of [a, b, c]) {
      const before = view(x, roomId);
      const reopened = await world.restart(x);
      expect(view(reopened, roomId)).toEqual(before);
    }
    const [a2] = world.clients;
    if (a2 === undefined) throw new Error('no client');
    await a2.send(roomId, 'after reopening');
    await world.settle();
    for (const x of world.clients) expect(texts(x, roomId).at(-1)).toBe('after reopening');
  });

  it('an offline device catches up from any member when it returns', async () => {
    const world = new World(13);
    const [a, b, c] = [await world.add('a'), await world.add('b'), await world.add('c')];
    const roomId = await a.createRoom();
    await world.invite(a, roomId, [b, c]);
    world.network.partition([[a.deviceId, b.deviceId], [c.deviceId]]);
    for (let i = 0; i < 20; i++) {
      await (i % 2 === 0 ? a : b).send(roomId, `m${i}`);
    }
    await a.setRoomProfile(roomId, { name: 'while c was away' });
    await world.settle();
    expect(texts(c, roomId)).toEqual([]);
    expect(c.syncStatus(roomId).complete).toBe(true); // c cannot know yet
    const statuses: boolean[] = [];
    c.on('sync', (e) => statuses.push(e.status.complete));
    await converge(world);
    expect(statuses.at(-1)).toBe(true);
    expect(view(c, roomId)).toEqual(view(a, roomId));
    expect(texts(c, roomId)).toHaveLength(20);
    expect(c.syncStatus(roomId)).toMatchObject({ complete: true, waitingUpdates: 0 });
  });

  for (const seed of [21, 22, 23, 24, 25]) {
    it(`a lossy, duplicating, reordering network still converges (seed ${seed})`, async () => {
      const world = new World(seed, {
        minDelayMs: 1,
        maxDelayMs: 80,
        reorder: true,
        dropProbability: 0.2,
        duplicateProbability: 0.1,
      });
      const clients = [
        await world.add('a'),
        await world.add('b'),
        await world.add('c'),
        await world.add('d'),
      ];
      const [a] = clients as [KithClient];
      const roomId = await a.createRoom();
      world.network.configure({ dropProbability: 0 });
      await world.invite(a, roomId, clients.slice(1));
      world.network.configure({ dropProbability: 0.2 });
      const sent: string[] = [];
      for (let i = 0; i < 24; i++) {
        const sender = world.random.pick(clients);
        if (!sender.room(roomId).active) continue;
        const text = `s${seed}-${i}`;
        await sender.send(roomId, text);
        sent.push(text);
        if (i % 6 === 0) await world.tickAll();
      }
      await world.settle();
      await converge(world, 8);
      const first = view(a, roomId);
      for (const x of clients) expect(view(x, roomId)).toEqual(first);
      expect([...texts(a, roomId)].sort()).toEqual([...sent].sort());
    });
  }

  it('a split into two halves that both talk and change membership heals to one state', async () => {
    const world = new World(31, { minDelayMs: 1, maxDelayMs: 30, reorder: true });
    const clients = [
      await world.add('a'),
      await world.add('b'),
      await world.add('c'),
      await world.add('d'),
      await world.add('e'),
    ];
    const [a, b, c, d, e] = clients as [KithClient, KithClient, KithClient, KithClient, KithClient];
    const roomId = await a.createRoom({ name: 'split' });
    await world.invite(a, roomId, [b, c, d]);
    await a.setRole(roomId, c.userId, 'admin');
    await world.settle();
    world.network.partition([
      [a.deviceId, b.deviceId],
      [c.deviceId, d.deviceId, e.deviceId],
    ]);
    await a.send(roomId, 'left half 1');
    await b.send(roomId, 'left half 2');
    await a.setRoomProfile(roomId, { topic: 'chosen on the left' });
    await c.send(roomId, 'right half 1');
    await world.invite(c, roomId, [e]);
    await e.send(roomId, 'newcomer on the right');
    await world.settle();
    await converge(world, 10);
    const first = view(a, roomId);
    for (const x of [b, c, d]) expect(view(x, roomId)).toEqual(first);
    expect([...texts(a, roomId)].sort()).toEqual(
      ['left half 1', 'left half 2', 'newcomer on the right', 'right half 1'].sort(),
    );
    expect(a.room(roomId).topic).toBe('chosen on the left');
  });
});
