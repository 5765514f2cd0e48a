import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KithApp } from '../../src/app/kith-app.ts';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

const open = (dataDir: string): Promise<KithApp> =>
  KithApp.open({ dataDir, listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false });

describe('a room’s default disappearing time on this device', () => {
  it('holds across a restart, and off clears it', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'kith-expiry-'));
    dirs.push(dataDir);
    let app = await open(dataDir);
    const roomId = await app.createRoom({ name: 'brief' });
    await app.setDefaultExpiry(roomId, 3_600_000);
    await app.close();

    app = await open(dataDir);
    expect(app.defaultExpiry(roomId)).toBe(3_600_000);
    await app.setDefaultExpiry(roomId, undefined);
    await app.close();

    app = await open(dataDir);
    expect(app.defaultExpiry(roomId)).toBeUndefined();
    await app.close();
  });
});
