import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RelayStatus } from '@kith/node';
import type { RoomId } from '@kith/core';
import type { DeviceHandle } from '../../../../packages/node/test/process/device-handle.ts';
import type { RelayProcess } from '../process/relay-process.ts';
import { freePort } from '../store-and-forward/harness.ts';
import { ProcessSet } from './process-set.ts';

/** Whether the device reports every relay connected and reserved. */
async function relaysFine(device: DeviceHandle): Promise<boolean> {
  const status = await device.call<RelayStatus[]>('relayStatus');
  return status.length > 0 && status.every((r) => r.connected && r.reserved);
}

async function circuitAddress(device: DeviceHandle): Promise<string | undefined> {
  const me = await device.call<{ addresses: string[] }>('whoami');
  return me.addresses.find((a) => a.includes('/p2p-circuit'));
}

/**
 * A relay that restarts (same port, same data directory, so the same identity) while devices
 * keep running: each device reconnects and reserves on it again by itself, and a device that
 * can be reached only through the relay's circuit is reached again.
 */
describe.each(['SIGTERM', 'SIGKILL'] as const)('devices across a relay restart (%s)', (signal) => {
  const processes = new ProcessSet();
  let relay: RelayProcess;
  let port = 0;
  let ana: DeviceHandle;
  let dee: DeviceHandle;
  let roomId: RoomId;

  beforeAll(async () => {
    port = await freePort();
    const started = await processes.relayAt(port);
    relay = started.relay;
    ana = await processes.device('ana', { relays: [started.address] });
    // Dee listens nowhere of her own: only at `<relay>/p2p-circuit`.
    dee = await processes.device('dee', { relays: [started.address], listen: [] });
    await dee.until('a circuit address', async () => (await circuitAddress(dee)) !== undefined);
    const deeMe = await dee.call<{ contactLink: string }>('whoami');
    await ana.call('addContact', { link: deeMe.contactLink });
    await dee.call('addContact', { link: ana.identity.contactLink });
    roomId = await ana.call<RoomId>('createRoom', {
      name: 'across restarts',
      members: [dee.identity.userId],
    });
    await dee.until('joining', async () => (await dee.call<string[]>('rooms')).includes(roomId));
    await ana.call('send', { roomId, text: 'before' });
    await dee.hasAll(roomId, ['before']);
  }, 90_000);
  afterAll(() => processes.teardown(), 60_000);

  it('reports the relay away while it is down, with the next attempt and the error', async () => {
    expect(await relaysFine(ana)).toBe(true);
    expect(await relaysFine(dee)).toBe(true);
    if (signal === 'SIGKILL') await processes.crash(relay);
    else await relay.signal(signal);
    for (const device of [ana, dee]) {
      await device.until('the relay to be reported away', async () => {
        const [status] = await device.call<RelayStatus[]>('relayStatus');
        return status !== undefined && !status.connected && !status.reserved;
      });
    }
    // Nothing to wait for: the device tries again on its own timer, and says when.
    await dee.until('a failed attempt', async () => {
      const [status] = await dee.call<RelayStatus[]>('relayStatus');
      return (status?.failures ?? 0) > 0;
    });
    const [status] = await dee.call<RelayStatus[]>('relayStatus');
    expect(status?.lastError).toBeTruthy();
    expect(status?.nextAttemptAt).toBeGreaterThan(0);
  });

  it('reconnects and reserves again once the relay is back on the same port', async () => {
    relay = (await processes.relayAt(port, relay.dataDir)).relay;
    // Each device's next attempt comes within the longest wait (30 s), with no help.
    await ana.until('the relay connected and reserved again', () => relaysFine(ana), 60_000);
    await dee.until('the relay connected and reserved again', () => relaysFine(dee), 60_000);
    // The relay holds both reservations again.
    expect(await relay.metric('kith_relay_reservations')).toBe(2);
  });

  it('reaches the device that only the relay’s circuit reaches', async () => {
    // Cal has no relay and no connection to Dee: only Dee's circuit address leads to her.
    const cal = await processes.device('cal', {});
    const through = await circuitAddress(dee);
    expect(through).toBeDefined();
    expect(await cal.call('connect', { address: through })).toBe(dee.identity.deviceId);
    await ana.call('send', { roomId, text: `after ${signal}` });
    await dee.hasAll(roomId, [`after ${signal}`]);
    await dee.call('send', { roomId, text: `reply after ${signal}` });
    await ana.hasAll(roomId, [`reply after ${signal}`]);
  });

  it('keeps mail for a member who is away, through the restarted relay', async () => {
    await dee.stop();
    const text = `while dee was away after ${signal}`;
    await ana.call('send', { roomId, text });
    // Closing flushes Ana's copies to the relay: then only the relay has the message.
    await ana.stop();
    await dee.restart();
    await dee.hasAll(roomId, [text]);
  });
});
