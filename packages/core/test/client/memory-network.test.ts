import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import { KithClient } from '../../src/client/kith-client.ts';
import type { KithEvent } from '../../src/client/events.ts';
import { KvStore } from '../../src/storage/store.ts';
import { createMemoryNetwork } from '../../src/testing/memory-transport.ts';

/** The README's example, on the in-memory network: events, not steps, drive it. */
describe('two clients on the in-memory network (the README example)', () => {
  it('invites, sends, reacts and changes a role', async () => {
    const network = createMemoryNetwork();
    const open = (name: string) =>
      KithClient.open({
        storage: new MemoryLevel<string, Uint8Array>(KvStore.databaseOptions),
        transport: (device) => network.endpoint(device.deviceId),
        deviceName: name,
      });
    const alice = await open('alice laptop');
    const bob = await open('bob phone');
    const joined = new Promise<KithEvent>((resolve) => bob.on('joined', resolve));
    const roomId = await alice.createRoom({ name: 'friends' });
    await alice.invite(roomId, [await bob.createKeyPackage()]);
    await joined;

    const seen = new Promise<void>((resolve) => {
      bob.on('timeline', (e) => {
        if (e.changes.some((c) => c.type === 'reactions')) resolve();
      });
    });
    const id = await alice.send(roomId, 'hello');
    await alice.react(roomId, id, '👋');
    await seen;
    expect(bob.timeline(roomId)[0]?.reactions.get('👋')?.has(alice.userId)).toBe(true);

    const promoted = new Promise<void>((resolve) =>
      bob.on('room', () => {
        resolve();
      }),
    );
    await alice.setRole(roomId, bob.userId, 'moderator');
    await promoted;
    expect(bob.room(roomId).participants.find((p) => p.userId === bob.userId)?.role).toBe(
      'moderator',
    );
    await alice.close();
    await bob.close();
  });
});
