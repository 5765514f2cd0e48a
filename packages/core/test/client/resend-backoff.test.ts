import { describe, expect, it } from 'vitest';
import { texts, World } from './world.ts';

describe('unconfirmed messages are published again, less and less often', () => {
  it('backs off while no member confirms, and delivers everything once one is back', async () => {
    const world = new World(91);
    // Every topic publish, by device (a partition drops them before the network's trace).
    const publishes = new Map<string, number>();
    const endpoint = world.network.endpoint.bind(world.network);
    world.network.endpoint = (device) => {
      const port = endpoint(device);
      const publish = port.publish.bind(port);
      port.publish = (topic, data, options) => {
        publishes.set(device, (publishes.get(device) ?? 0) + 1);
        return publish(topic, data, options);
      };
      return port;
    };
    const [a, b] = [await world.add('a'), await world.add('b')];
    const roomId = await a.createRoom({ name: 'r' });
    await world.invite(a, roomId, [b]);
    await world.tickAll();
    world.network.partition([[a.deviceId], [b.deviceId]]);
    for (const text of ['one', 'two', 'three']) await a.send(roomId, text);
    await world.settle();

    // A minute of ticks every 2 s with nobody to confirm.
    const before = publishes.get(a.deviceId) ?? 0;
    for (let i = 0; i < 30; i++) {
      await a.tick();
      await world.network.advance(2000);
    }
    const published = (publishes.get(a.deviceId) ?? 0) - before;
    // One per tick would be 30 resends; doubling waits from 4 s up to the minute make 5.
    expect(published).toBeGreaterThan(0);
    expect(published).toBeLessThanOrEqual(6);
    expect(a.syncStatus(roomId).unsent).toBe(3);

    world.network.heal();
    await world.tickAll();
    await world.tickAll();
    expect(texts(b, roomId)).toEqual(['one', 'two', 'three']);
    expect(a.syncStatus(roomId).unsent).toBe(0);
  });
});
