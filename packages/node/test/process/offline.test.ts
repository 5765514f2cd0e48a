import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoomId } from '@kith/core';
import { DeviceHandle, removeAll, startDevices } from './device-handle.ts';

describe('devices going offline and coming back', () => {
  let devices: DeviceHandle[] = [];
  let roomId: RoomId;

  beforeAll(async () => {
    devices = await startDevices(['ana', 'ben', 'cai', 'dev']);
    const [ana, ...others] = devices as [DeviceHandle, ...DeviceHandle[]];
    roomId = await ana.call<RoomId>('createRoom', {
      name: 'offline',
      members: others.map((d) => d.identity.userId),
    });
    for (const d of others) {
      await d.until('joining', async () => (await d.call<string[]>('rooms')).includes(roomId));
    }
  }, 60_000);
  afterAll(() => removeAll(devices), 60_000);

  it('a device that was off catches up from the one member still online', async () => {
    const [ana, ben, cai, dev] = devices as [
      DeviceHandle,
      DeviceHandle,
      DeviceHandle,
      DeviceHandle,
    ];
    const before = ['before 1', 'before 2'];
    for (const text of before) await ana.call('send', { roomId, text });
    await dev.hasAll(roomId, before);
    await dev.stop();
    const missed: string[] = [];
    for (let i = 0; i < 5; i++) {
      const text = `while dev was away ${i}`;
      await (i % 2 === 0 ? ana : ben).call('send', { roomId, text });
      missed.push(text);
    }
    await cai.hasAll(roomId, missed);
    // Only cai stays: dev must get everything from it, not from the senders.
    await ana.stop();
    await ben.stop();
    await dev.restart();
    await dev.hasAll(roomId, [...before, ...missed]);
    expect(await dev.call('syncStatus', { roomId })).toMatchObject({ complete: true });
    // Dev talks again, and the senders, back later, receive it and match cai's order.
    await dev.call('send', { roomId, text: 'dev is back' });
    await ana.restart();
    await ben.restart();
    const all = [...before, ...missed, 'dev is back'];
    await Promise.all([ana, ben, cai, dev].map((d) => d.hasAll(roomId, all)));
    const timelines = await Promise.all(devices.map((d) => d.texts(roomId)));
    for (const t of timelines) expect(t).toEqual(timelines[0]);
  });

  it('a process killed with SIGKILL during a burst loses nothing it reported sent', async () => {
    const [ana, ben] = devices as [DeviceHandle, DeviceHandle];
    const burst = ben.call('burst', { roomId, count: 40, prefix: 'burst ' }).catch(() => undefined);
    await ben.until('some sends done', () => Promise.resolve(ben.sent.length >= 5));
    await ben.kill();
    await burst;
    const confirmed = [...ben.sent];
    expect(confirmed.length).toBeGreaterThanOrEqual(5);
    expect(confirmed.length).toBeLessThan(40);
    await ben.restart();
    // What ben said was sent reaches the others after the restart, exactly once each.
    await ana.hasAll(roomId, confirmed);
    await ben.hasAll(roomId, confirmed);
    const seen = await ana.texts(roomId);
    for (const text of confirmed) expect(seen.filter((t) => t === text)).toHaveLength(1);
  });

  it('a second process on the same data directory is refused with a way out', async () => {
    const [ana] = devices as [DeviceHandle];
    await expect(DeviceHandle.start('ana-twin', ana.dataDir)).rejects.toThrow(
      /another Kith process is using .* --data-dir/,
    );
    // The first process is unaffected.
    await ana.call('send', { roomId, text: 'ana still works' });
    await ana.hasAll(roomId, ['ana still works']);
  });
});
