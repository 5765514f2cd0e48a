import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoomId } from '@kith/core';
import type { RelayProcess } from '../process/relay-process.ts';
import { freePort, removeAll, startDevices, startRelayAt, type DeviceHandle } from './harness.ts';

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

describe('a relay keeping a room’s messages for members who are offline', () => {
  let relay: RelayProcess;
  let port = 0;
  let devices: DeviceHandle[] = [];
  let roomId: RoomId;
  const sent: string[] = [];

  beforeAll(async () => {
    port = await freePort();
    const started = await startRelayAt(port);
    relay = started.relay;
    devices = await startDevices(['ana', 'ben', 'cai'], { relays: [started.address] });
    const [ana, ...others] = devices as [DeviceHandle, ...DeviceHandle[]];
    roomId = await ana.call<RoomId>('createRoom', {
      name: 'relayed',
      members: others.map((d) => d.identity.userId),
    });
    for (const d of others) {
      await d.until('joining', async () => (await d.call<string[]>('rooms')).includes(roomId));
    }
  }, 60_000);
  afterAll(async () => {
    await removeAll(devices);
    await relay.remove();
  }, 60_000);

  it('hands a returning device everything it missed, with no other member online', async () => {
    const [ana, ben, cai] = devices as [DeviceHandle, DeviceHandle, DeviceHandle];
    await cai.stop();
    for (const [i, d] of [ana, ben, ana, ben, ana].entries()) {
      const text = `while cai was away ${i}`;
      await d.call('send', { roomId, text });
      sent.push(text);
    }
    await ana.hasAll(roomId, sent);
    // Closing flushes each device's copies to the relay; then only the relay has them.
    await ana.stop();
    await ben.stop();
    await cai.restart();
    await cai.hasAll(roomId, sent);
    expect(await cai.call('syncStatus', { roomId })).toMatchObject({ waitingUpdates: 0 });
  });

  it('loses nothing when the relay restarts in between', async () => {
    const [ana, , cai] = devices as [DeviceHandle, DeviceHandle, DeviceHandle];
    await cai.stop();
    await ana.restart();
    const later = ['across a relay restart 1', 'across a relay restart 2'];
    for (const text of later) await ana.call('send', { roomId, text });
    sent.push(...later);
    await ana.stop();
    await relay.signal('SIGTERM');
    relay = (await startRelayAt(port, { dataDir: relay.dataDir })).relay;
    await cai.restart();
    await cai.hasAll(roomId, sent);
  });

  it('holds no plaintext: none of the messages appears in its files', async () => {
    const files = await filesUnder(relay.dataDir);
    expect(files.length).toBeGreaterThan(0);
    const stored = Buffer.concat(await Promise.all(files.map((f) => readFile(f))));
    // The relay did store ciphertext for this room...
    expect(await relay.metric('kith_relay_stored_bytes')).toBeGreaterThan(0);
    // ...and no message text is in it, in any form a grep would find.
    for (const text of sent) expect(stored.includes(Buffer.from(text))).toBe(false);
    expect(stored.includes(Buffer.from('while cai was away'))).toBe(false);
  });
});
