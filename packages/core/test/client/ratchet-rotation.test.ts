import { describe, expect, it } from 'vitest';
import { texts, World } from './world.ts';

describe('starting a new epoch before the message ratchet wears out', () => {
  it('commits after so many sent messages, and a member who missed them all still reads them', async () => {
    const world = new World(61, {}, { rotateAfterMessages: 4 });
    const [a, b, c] = [await world.add('a'), await world.add('b'), await world.add('c')];
    const roomId = await a.createRoom({ name: 'chatty' });
    await world.invite(a, roomId, [b, c]);
    const start = a.room(roomId).epoch;
    world.network.partition([[a.deviceId, b.deviceId], [c.deviceId]]);
    const sent: string[] = [];
    for (let i = 0; i < 10; i++) {
      sent.push(`m${i}`);
      await a.send(roomId, `m${i}`);
    }
    await world.settle();
    // Two rotations: after the 4th and the 8th message.
    expect(a.room(roomId).epoch).toBe(start + 2n);
    expect(b.room(roomId).epoch).toBe(start + 2n);
    expect(texts(b, roomId)).toEqual(sent);
    world.network.heal();
    await world.tickAll();
    // Sync answers count too, so the room may have moved on again; everyone is in one epoch.
    expect(c.room(roomId).epoch).toBeGreaterThanOrEqual(start + 2n);
    expect(a.room(roomId).epoch).toBe(c.room(roomId).epoch);
    expect(b.room(roomId).epoch).toBe(c.room(roomId).epoch);
    expect(texts(c, roomId)).toEqual(sent);
  });
});
