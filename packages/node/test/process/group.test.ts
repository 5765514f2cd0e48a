import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoomId } from '@kith/core';
import { removeAll, startDevices, type DeviceHandle } from './device-handle.ts';

// Five device processes on loopback. The first knows the others by contact link; they know
// only it, and find each other through the room (the locate protocol) once invited.
describe('a group of five device processes', () => {
  let devices: DeviceHandle[] = [];
  let roomId: RoomId;

  beforeAll(async () => {
    devices = await startDevices(['ana', 'ben', 'cai', 'dev', 'eli']);
  }, 60_000);
  afterAll(() => removeAll(devices), 60_000);

  it('creates a room with everyone and every message reaches everyone', async () => {
    const [ana, ...others] = devices as [DeviceHandle, ...DeviceHandle[]];
    roomId = await ana.call<RoomId>('createRoom', {
      name: 'five',
      members: others.map((d) => d.identity.userId),
    });
    const sent: string[] = [];
    for (const d of devices) {
      await d.until('joining the room', async () =>
        (await d.call<string[]>('rooms')).includes(roomId),
      );
    }
    for (const d of devices) {
      for (let i = 0; i < 3; i++) {
        const text = `${d.name} says ${i}`;
        await d.call('send', { roomId, text });
        sent.push(text);
      }
    }
    await Promise.all(devices.map((d) => d.hasAll(roomId, sent)));
    // Every device shows the same timeline, in the same order.
    const timelines = await Promise.all(devices.map((d) => d.texts(roomId)));
    for (const t of timelines) expect(t).toEqual(timelines[0]);
    expect(timelines[0]).toHaveLength(15);
  });

  it('members that were never introduced find each other through the room', async () => {
    const [, ben, , , eli] = devices as [
      DeviceHandle,
      DeviceHandle,
      DeviceHandle,
      DeviceHandle,
      DeviceHandle,
    ];
    await ben.until('a direct connection to eli', async () =>
      (await ben.call<string[]>('connected')).includes(eli.identity.deviceId),
    );
  });
});
