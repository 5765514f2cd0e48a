import { describe, expect, it } from 'vitest';
import type { KithEvent } from '../../src/client/events.ts';
import { fromHex } from '../../src/crypto/bytes.ts';
import { deviceIdFromPublicKey } from '../../src/identity/user-id.ts';
import { encodeDirectFrame } from '../../src/sync/frames.ts';
import { roomTopic } from '../../src/sync/topic.ts';
import { texts, World } from './world.ts';

describe('hostile input reaching a device', () => {
  it('garbage on the room topic and on direct frames is refused; the room carries on', async () => {
    const world = new World(51);
    const [a, b] = [await world.add('a'), await world.add('b')];
    const roomId = await a.createRoom();
    await world.invite(a, roomId, [b]);
    const rejected: KithEvent[] = [];
    b.on('rejected', (e) => rejected.push(e));

    const rogue = world.network.endpoint(deviceIdFromPublicKey(world.random.bytes(32)));
    const topic = roomTopic(fromHex(roomId) ?? new Uint8Array());
    rogue.subscribe(topic);
    const junk = [
      new Uint8Array(),
      Uint8Array.of(0, 1),
      world.random.bytes(300),
      new Uint8Array(70_000),
    ];
    for (const bytes of junk) {
      await rogue.publish(topic, bytes);
      await rogue.sendTo(b.deviceId, bytes);
    }
    await world.settle();
    expect(rejected.length).toBeGreaterThanOrEqual(junk.length);

    await a.send(roomId, 'still fine');
    await world.settle();
    expect(texts(b, roomId)).toEqual(['still fine']);
  });

  it('a device that is not a member gets no answer to a hello', async () => {
    const world = new World(52);
    const [a, b] = [await world.add('a'), await world.add('b')];
    const roomId = await a.createRoom();
    await world.invite(a, roomId, [b]);
    await a.send(roomId, 'members only');
    await world.settle();

    const outsider = world.network.endpoint(deviceIdFromPublicKey(world.random.bytes(32)));
    const received: Uint8Array[] = [];
    outsider.onMessage((m) => received.push(m.data));
    const groupId = fromHex(roomId) ?? new Uint8Array();
    await outsider.sendTo(
      a.deviceId,
      encodeDirectFrame({
        type: 'hello',
        groupId,
        epoch: 0n,
        epochIds: [],
        heads: [],
        reply: false,
      }),
    );
    await world.settle();
    expect(received).toEqual([]);
  });
});
