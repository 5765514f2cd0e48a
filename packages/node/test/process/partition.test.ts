import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoomId } from '@kith/core';
import { removeAll, startDevices, type DeviceHandle } from './device-handle.ts';

interface RoomView {
  name: string;
  epoch: string;
  active: boolean;
  participants: { userId: string; role: string }[];
  devices: string[];
}

/** Cuts every connection between the two sides, both ways (each side's gater refuses the other). */
async function split(left: readonly DeviceHandle[], right: readonly DeviceHandle[]): Promise<void> {
  for (const a of left) {
    for (const b of right) {
      await a.call('block', { deviceId: b.identity.deviceId });
      await b.call('block', { deviceId: a.identity.deviceId });
    }
  }
}

async function heal(left: readonly DeviceHandle[], right: readonly DeviceHandle[]): Promise<void> {
  for (const a of left) {
    for (const b of right) {
      await a.call('unblock', { deviceId: b.identity.deviceId });
      await b.call('unblock', { deviceId: a.identity.deviceId });
    }
  }
}

describe('a network split into two halves that both go on, then heals', () => {
  let devices: DeviceHandle[] = [];
  let roomId: RoomId;

  beforeAll(async () => {
    devices = await startDevices(['ana', 'ben', 'cai', 'dev', 'eli']);
    const [ana, ...others] = devices as [DeviceHandle, ...DeviceHandle[]];
    roomId = await ana.call<RoomId>('createRoom', {
      name: 'split',
      members: others.map((d) => d.identity.userId),
    });
    for (const d of others) {
      await d.until('joining', async () => (await d.call<string[]>('rooms')).includes(roomId));
    }
  }, 60_000);
  afterAll(() => removeAll(devices), 60_000);

  it('ends with one state: both sides’ messages, membership and room changes', async () => {
    const [ana, ben, cai, dev, eli] = devices as [
      DeviceHandle,
      DeviceHandle,
      DeviceHandle,
      DeviceHandle,
      DeviceHandle,
    ];
    await ana.call('setRole', { roomId, userId: dev.identity.userId, role: 'admin' });
    const promoted = async (d: DeviceHandle): Promise<boolean> =>
      (await d.call<RoomView>('room', { roomId })).participants.some(
        (p) => p.userId === dev.identity.userId && p.role === 'admin',
      );
    await dev.until('dev is admin', () => promoted(dev));
    await eli.until('dev is admin', () => promoted(eli));

    const left = [ana, ben, cai];
    const right = [dev, eli];
    await split(left, right);
    for (const d of left) {
      await d.until('the split', async () => {
        const connected = await d.call<string[]>('connected');
        return right.every((r) => !connected.includes(r.identity.deviceId));
      });
    }

    // Left: ana removes cai, and both sides talk; right: dev renames the room.
    await ana.call('remove', { roomId, userId: cai.identity.userId });
    await ana.call('send', { roomId, text: 'left 1' });
    await ben.call('send', { roomId, text: 'left 2' });
    await dev.call('setName', { roomId, name: 'renamed on the right' });
    await dev.call('send', { roomId, text: 'right 1' });
    await eli.call('send', { roomId, text: 'right 2' });
    await ben.hasAll(roomId, ['left 1', 'left 2']);
    await eli.hasAll(roomId, ['right 1', 'right 2']);
    // The right side's messages are out; ana lacks them even once a message sent later on its
    // own side has reached it.
    await ben.call('send', { roomId, text: 'left 3' });
    await ana.hasAll(roomId, ['left 1', 'left 2', 'left 3']);
    const atAna = await ana.texts(roomId);
    expect(atAna).not.toContain('right 1');
    expect(atAna).not.toContain('right 2');

    await heal(left, right);
    const stayers = [ana, ben, dev, eli];
    const all = ['left 1', 'left 2', 'left 3', 'right 1', 'right 2'];
    await Promise.all(stayers.map((d) => d.hasAll(roomId, all)));
    // One room state everywhere: the rename and the removal both hold.
    const converged = async (d: DeviceHandle): Promise<boolean> => {
      const view = await d.call<RoomView>('room', { roomId });
      return (
        view.name === 'renamed on the right' &&
        !view.participants.some((p) => p.userId === cai.identity.userId)
      );
    };
    await Promise.all(stayers.map((d) => d.until('the merged room state', () => converged(d))));
    const views = await Promise.all(stayers.map((d) => d.call<RoomView>('room', { roomId })));
    for (const v of views) expect(v).toEqual(views[0]);
    const timelines = await Promise.all(stayers.map((d) => d.texts(roomId)));
    for (const t of timelines) expect(t).toEqual(timelines[0]);
    await cai.until('cai sees its removal', async () => {
      const view = await cai.call<RoomView>('room', { roomId });
      return !view.active;
    });
  });
});
