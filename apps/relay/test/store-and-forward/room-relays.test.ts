import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoomId } from '@kith/core';
import type { RelayProcess } from '../process/relay-process.ts';
import { DeviceHandle, freePort, removeAll, startRelayAt } from './harness.ts';

describe('a conversation between users of different relays', () => {
  let relays: { relay: RelayProcess; address: string }[] = [];
  let ana: DeviceHandle;
  let ben: DeviceHandle;
  let roomId: RoomId;

  beforeAll(async () => {
    relays = [await startRelayAt(await freePort()), await startRelayAt(await freePort())];
    const [ra, rb] = relays.map((r) => r.address) as [string, string];
    // Each uses only its own relay; neither is configured with the other's.
    ana = await DeviceHandle.start('ana', undefined, { relays: [ra] });
    ben = await DeviceHandle.start('ben', undefined, { relays: [rb] });
    await ana.call('addContact', { link: ben.identity.contactLink });
    await ben.call('addContact', { link: ana.identity.contactLink });
    roomId = await ana.call<RoomId>('createRoom', {
      name: 'two relays',
      members: [ben.identity.userId],
    });
    await ben.until('joining', async () => (await ben.call<string[]>('rooms')).includes(roomId));
  }, 60_000);
  afterAll(async () => {
    await removeAll([ana, ben]);
    await Promise.all(relays.map((r) => r.relay.remove()));
  }, 60_000);

  it('records both members’ relays in the room, each member’s own first', async () => {
    const [ra, rb] = relays.map((r) => r.address);
    for (const [d, own, other] of [
      [ana, ra, rb],
      [ben, rb, ra],
    ] as const) {
      await d.until('the other’s relay in the room', async () =>
        (await d.call<string[]>('roomRelays', { roomId })).includes(other ?? ''),
      );
      expect(await d.call<string[]>('roomRelays', { roomId })).toEqual([own, other]);
    }
  });

  it('leaves messages on the relay of the member who is away, which alone hands them over', async () => {
    await ben.stop();
    const sent = ['on your relay 1', 'on your relay 2', 'on your relay 3'];
    for (const text of sent) await ana.call('send', { roomId, text });
    // Closing flushes ana's copies to every relay of the room; then ana's own relay goes too.
    await ana.stop();
    await relays[0]?.relay.remove();
    expect(await relays[1]?.relay.metric('kith_relay_stored_bytes')).toBeGreaterThan(0);
    await ben.restart();
    await ben.hasAll(roomId, sent);
  });

  it('goes on through the relay that is left when one of the room’s relays is gone', async () => {
    // Relay A (ana's only one) is gone for good; the room still names it.
    await ana.restart();
    await ben.stop();
    const later = ['with relay A gone 1', 'with relay A gone 2'];
    for (const text of later) await ana.call('send', { roomId, text });
    await ana.stop();
    await ben.restart();
    await ben.hasAll(roomId, later);
  });
});
