import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoomId } from '@kith/core';
import type { RelayProcess } from '../process/relay-process.ts';
import { DeviceHandle, freePort, removeAll, startRelayAt } from './harness.ts';

describe('reaching people through a relay', () => {
  let relay: RelayProcess;
  let relayAddress = '';
  const devices: DeviceHandle[] = [];

  beforeAll(async () => {
    const started = await startRelayAt(await freePort());
    relay = started.relay;
    relayAddress = started.address;
  }, 60_000);
  afterAll(async () => {
    await removeAll(devices);
    await relay.remove();
  }, 60_000);

  it('lets two devices that listen only on circuit addresses hold a conversation', async () => {
    const network = { relays: [relayAddress], listen: [] };
    const [dee, eve] = await Promise.all([
      DeviceHandle.start('dee', undefined, network),
      DeviceHandle.start('eve', undefined, network),
    ]);
    devices.push(dee, eve);
    // Neither has an address of its own: only `<relay>/p2p-circuit`.
    await dee.until('a circuit address', async () => {
      const me = await dee.call<{ addresses: string[] }>('whoami');
      return me.addresses.length > 0 && me.addresses.every((a) => a.includes('/p2p-circuit'));
    });
    const deeMe = await dee.call<{ contactLink: string }>('whoami');
    await eve.until('a circuit address', async () =>
      (await eve.call<{ addresses: string[] }>('whoami')).addresses.some((a) =>
        a.includes('/p2p-circuit'),
      ),
    );
    const eveMe = await eve.call<{ contactLink: string }>('whoami');
    await dee.call('addContact', { link: eveMe.contactLink });
    await eve.call('addContact', { link: deeMe.contactLink });
    const roomId = await dee.call<RoomId>('createRoom', {
      name: 'through the relay',
      members: [eve.identity.userId],
    });
    await eve.until('joining', async () => (await eve.call<string[]>('rooms')).includes(roomId));
    await dee.call('send', { roomId, text: 'hello through a circuit' });
    await eve.call('send', { roomId, text: 'and back' });
    await dee.hasAll(roomId, ['hello through a circuit', 'and back']);
    await eve.hasAll(roomId, ['hello through a circuit', 'and back']);
  });

  it('invites an offline user through their key packages and inbox on the relay', async () => {
    const network = { relays: [relayAddress] };
    const [fay, gus] = await Promise.all([
      DeviceHandle.start('fay', undefined, network),
      DeviceHandle.start('gus', undefined, network),
    ]);
    devices.push(fay, gus);
    await fay.call('addContact', { link: gus.identity.contactLink });
    // Gus leaves key packages on the relay, then goes offline.
    await gus.call('visitRelays');
    await gus.stop();
    const roomId = await fay.call<RoomId>('createRoom', {
      name: 'for gus',
      members: [gus.identity.userId],
    });
    await fay.call('send', { roomId, text: 'welcome, gus' });
    await fay.stop();
    // Fay is gone too: Gus joins from the Welcome in his inbox and reads from the mailbox.
    await gus.restart();
    await gus.until('joining', async () => (await gus.call<string[]>('rooms')).includes(roomId));
    await gus.hasAll(roomId, ['welcome, gus']);
    expect(await relay.metric('kith_relay_messages_out_total')).toBeGreaterThan(0);
  });
});
