import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KithNode } from '@kith/node';
import type { RelayProcess } from '@kith/relay/process';
import type { Whoami } from '../../src/app/views.ts';
import type { Daemon } from '../../src/demo/daemon-process.ts';
import { createRoomWith, exchangeContacts, removeAll, startDaemons } from './cast.ts';

interface Listed {
  readonly deviceId: string;
  readonly name: string;
  readonly current: boolean;
}

describe('devices through the daemon', () => {
  let relay: RelayProcess;
  let ana: Daemon;
  let ben: Daemon;
  let me: Record<string, Whoami> = {};
  let roomId = '';
  let phoneDir = '';

  beforeAll(async () => {
    const cast = await startDaemons(['ana', 'ben']);
    ({ relay, me } = cast);
    [ana, ben] = cast.daemons;
    await exchangeContacts(me, ana, [ben]);
    roomId = await createRoomWith(me, ana, 'lunch', [ben]);
    phoneDir = await mkdtemp(join(tmpdir(), 'kith-phone-'));
  }, 60_000);
  afterAll(async () => {
    await removeAll(relay, [ana, ben]);
    await rm(phoneDir, { recursive: true, force: true });
  });

  it('links a new device after the codes match, lists it, and revokes it', async () => {
    const { link, qr } = await ben.call<{ link: string; qr: string[] }>('createDeviceLink');
    expect(link.startsWith('kith-link:')).toBe(true);
    expect(qr.length).toBeGreaterThan(10);
    let code = '';
    const linking = KithNode.link({
      dataDir: phoneDir,
      deviceName: 'ben-phone',
      link,
      listen: ['/ip4/127.0.0.1/tcp/0'],
      mdns: false,
      onCode: (c) => (code = c),
    });
    let waiting: { deviceId: string; code: string }[] = [];
    await ben.until('the phone to ask', async () => {
      waiting = await ben.call<typeof waiting>('linkRequests');
      return waiting.length > 0;
    });
    const [request] = waiting;
    if (request === undefined) throw new Error('no request');
    await ben.call('confirmDeviceLink', { deviceId: request.deviceId, accept: true });
    const { device: phone } = await linking;
    try {
      expect(request.code).toBe(code);
      expect(phone.userId).toBe(me['ben']?.userId);
      await ben.until('the phone in the room', () =>
        Promise.resolve(phone.client.rooms().some((r) => r.roomId === roomId)),
      );
      const listed = await ben.call<Listed[]>('devices');
      expect(listed.map((d) => d.current)).toEqual([true, false]);
      expect(listed[1]?.name).toBe('ben-phone');
      await ana.until('ben’s list naming the phone', async () => {
        const seen = await ana.call<{ devices: Listed[] }>('contactDevices', {
          userId: me['ben']?.userId,
        });
        return seen.devices.some((d) => d.deviceId === phone.deviceId);
      });

      const report = await ben.call<{ removedFrom: string[] }>('revokeDevice', {
        device: 'ben-phone',
      });
      expect(report.removedFrom).toEqual([roomId]);
      await ana.until('the revocation', async () => {
        const seen = await ana.call<{ revoked: string[] }>('contactDevices', {
          userId: me['ben']?.userId,
        });
        return seen.revoked.includes(phone.deviceId);
      });
      expect((await ben.call<Listed[]>('devices')).map((d) => d.current)).toEqual([true]);
      await expect(ben.call('revokeDevice', { device: 'ben-phone' })).rejects.toThrow(/1005/);
    } finally {
      await phone.close();
    }
  });
});
