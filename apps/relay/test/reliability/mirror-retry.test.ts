import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoomId } from '@kith/core';
import type { RelayStatus } from '@kith/node';
import type { DeviceHandle } from '../../../../packages/node/test/process/device-handle.ts';
import type { RelayProcess } from '../process/relay-process.ts';
import { freePort } from '../store-and-forward/harness.ts';
import { ProcessSet } from './process-set.ts';

const BURST = 30;

async function relaysFine(device: DeviceHandle): Promise<boolean> {
  const status = await device.call<RelayStatus[]>('relayStatus');
  // Back, and every copy it missed put again: the device's part is then done.
  return status.length > 0 && status.every((r) => r.connected && r.reserved && r.owed === 0);
}

/** Where a device is in the room: its epoch and mailboxes, for a failure's message. */
async function where(device: DeviceHandle, roomId: RoomId): Promise<unknown> {
  const room = await device.call<{ epoch: string }>('room', { roomId });
  const keys = await device.call<{ epoch: string; epochId: string }[]>('mailboxKeys', { roomId });
  return {
    name: device.name,
    epoch: room.epoch,
    mailboxes: keys.map((k) => `${k.epoch}:${k.epochId.slice(0, 8)}`),
    relays: await device.call('relayStatus'),
    sync: await device.call('syncStatus', { roomId }),
  };
}

/**
 * Devices sending while their relay crashes: what the relay did not acknowledge, they put again
 * once it is back, so a member who was away all along finds every message on the relay alone.
 */
describe('a relay killed (SIGKILL) while devices send', () => {
  const processes = new ProcessSet();
  let relay: RelayProcess;
  let port = 0;
  let ana: DeviceHandle;
  let ben: DeviceHandle;
  let cai: DeviceHandle;
  let roomId: RoomId;

  beforeAll(async () => {
    port = await freePort();
    const started = await processes.relayAt(port);
    relay = started.relay;
    const network = { relays: [started.address] };
    [ana, ben, cai] = (await Promise.all(
      ['ana', 'ben', 'cai'].map((n) => processes.device(n, network)),
    )) as [DeviceHandle, DeviceHandle, DeviceHandle];
    for (const d of [ben, cai]) {
      await ana.call('addContact', { link: d.identity.contactLink });
      await d.call('addContact', { link: ana.identity.contactLink });
    }
    roomId = await ana.call<RoomId>('createRoom', {
      name: 'burst',
      members: [ben.identity.userId, cai.identity.userId],
    });
    for (const d of [ben, cai]) {
      await d.until('joining', async () => (await d.call<string[]>('rooms')).includes(roomId));
    }
    await cai.stop();
  }, 90_000);
  afterAll(() => processes.teardown(), 60_000);

  it('puts again what the relay did not acknowledge; the away member gets all of it', async () => {
    const bursts = [ana, ben].map((d) =>
      d.call<number>('burst', { roomId, count: BURST, prefix: `${d.name} ` }),
    );
    // Mid-burst: a few messages were sent (and mirrored), most are still to come.
    await ana.until('a few sent', () => Promise.resolve(ana.sent.length >= 3));
    await processes.crash(relay);
    await Promise.all(bursts);
    const sent = [...ana.sent, ...ben.sent];
    expect(sent).toHaveLength(2 * BURST);
    await ana.hasAll(roomId, sent);
    await ben.hasAll(roomId, sent);

    relay = (await processes.relayAt(port, relay.dataDir)).relay;
    await ana.until('the relay back', () => relaysFine(ana), 60_000);
    await ben.until('the relay back', () => relaysFine(ben), 60_000);
    // Each device has put again what the relay missed (its status owes nothing); closing then
    // leaves the messages on the relay alone.
    const before = await Promise.all([ana, ben].map((d) => where(d, roomId)));
    await ana.stop();
    await ben.stop();
    await cai.restart();
    try {
      await cai.hasAll(roomId, sent);
    } catch (error) {
      // Say what is missing and what the devices reported, not only that time ran out.
      const have = new Set(await cai.texts(roomId));
      const missing = sent.filter((t) => !have.has(t));
      throw new Error(
        `missing ${JSON.stringify(missing)}; errors ${JSON.stringify([...ana.errors, ...ben.errors, ...cai.errors])}; ` +
          `before stopping ${JSON.stringify(before)}; cai ${JSON.stringify(await where(cai, roomId))}`,
        { cause: error },
      );
    }
    const texts = await cai.texts(roomId);
    expect(texts.filter((t) => sent.includes(t))).toHaveLength(sent.length);
  });
});
