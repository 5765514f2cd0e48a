import { describe, expect, it } from 'vitest';
import type { TransportPort } from '../../src/ports/transport.ts';
import { decodeDirectFrame } from '../../src/sync/frames.ts';
import { texts, World } from './world.ts';

/** What a test does to one device's endpoint: count the sync data it sends, drop its input. */
interface Tap {
  dataSent: number;
  hellosSent: number;
  /** Drop the next topic message this device receives (a gossip message that never came). */
  dropNextTopic: boolean;
}

function tap(slot: Tap): (t: TransportPort) => TransportPort {
  return (t) => ({
    self: t.self,
    subscribe: (topic) => {
      t.subscribe(topic);
    },
    unsubscribe: (topic) => {
      t.unsubscribe(topic);
    },
    publish: (topic, data, options) => t.publish(topic, data, options),
    sendTo: (device, data) => {
      const type = decodeDirectFrame(data).type;
      if (type === 'data') slot.dataSent++;
      if (type === 'hello') slot.hellosSent++;
      return t.sendTo(device, data);
    },
    onMessage: (h) =>
      t.onMessage((m) => {
        if (m.kind === 'topic' && slot.dropNextTopic) {
          slot.dropNextTopic = false;
          return;
        }
        h(m);
      }),
    onPeer: (h) => t.onPeer(h),
    close: () => t.close(),
  });
}

async function pair(seed: number) {
  const world = new World(seed);
  const aTap: Tap = { dataSent: 0, hellosSent: 0, dropNextTopic: false };
  const bTap: Tap = { dataSent: 0, hellosSent: 0, dropNextTopic: false };
  const a = await world.add('a', { wrap: tap(aTap) });
  const b = await world.add('b', { wrap: tap(bTap) });
  const roomId = await a.createRoom();
  await world.invite(a, roomId, [b]);
  await world.tickAll();
  return { world, a, b, roomId, aTap, bTap };
}

describe('sync answers in a busy room', () => {
  it('leave out what gossip is delivering, and send a message gossip lost at the next hello', async () => {
    const { world, a, b, roomId, aTap, bTap } = await pair(2001);
    await a.send(roomId, 'one');
    await world.settle();
    // 'two' never reaches b by gossip: to a, that looks like a message still on its way.
    bTap.dropNextTopic = true;
    await a.send(roomId, 'two');
    await world.settle();
    expect(texts(b, roomId)).toEqual(['one']);

    // b's hello shows a's chain moving since its previous one: a answers without 'two'.
    const before = aTap.dataSent;
    await b.tick();
    await world.settle();
    expect(aTap.dataSent).toBe(before);
    expect(texts(b, roomId)).toEqual(['one']);

    // Its next hello shows the chain stuck where 'two' was lost: a answers with it.
    await b.tick();
    await world.settle();
    expect(aTap.dataSent).toBe(before + 1);
    expect(texts(b, roomId)).toEqual(['one', 'two']);
  });

  it('a tick that finds input waiting leaves its hellos to a tick that finds the device idle', async () => {
    const { world, a, b, roomId, bTap } = await pair(2002);
    const before = bTap.hellosSent;
    // b's own send is still queued when the tick comes: b is busy.
    const sent = b.send(roomId, 'busy');
    await b.tick();
    await sent;
    await world.settle();
    expect(bTap.hellosSent).toBe(before);
    expect(texts(a, roomId)).toEqual(['busy']);
    await b.tick();
    await world.settle();
    expect(bTap.hellosSent).toBeGreaterThan(before);
  });
});
