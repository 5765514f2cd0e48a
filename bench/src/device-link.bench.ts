import type { RoomId } from '@kith/core';
import { KithNode } from '@kith/node';
import { format, report } from './measure.ts';
import { onAny, openDevice, TempDirs, waitUntil } from './node-fixtures.ts';

const LOOPBACK = ['/ip4/127.0.0.1/tcp/0'];

/**
 * Linking a device to a user in R rooms of M messages: the clock runs from `KithNode.link` until
 * the new device is in every room, each timeline holds all M messages and `syncStatus` says
 * complete. The baseline is the catch-up of the same rooms by an existing device (Alice's,
 * closed while the messages were written, then reopened), timed the same way.
 * Full: 20 rooms of 1,000 messages; quick: 3 rooms of 100.
 */
export async function benchDeviceLink(quick: boolean): Promise<void> {
  const [rooms, messages] = quick ? [3, 100] : [20, 1000];
  const dirs = new TempDirs();
  const nodes: KithNode[] = [];
  try {
    const aliceDir = await dirs.make('link-alice');
    let alice = await openDevice(aliceDir, 'alice');
    const bob = await openDevice(await dirs.make('link-bob'), 'bob');
    nodes.push(alice, bob);
    await alice.addContact(bob.contactLink('Bob'));
    await bob.addContact(alice.contactLink('Alice'));
    const ids: RoomId[] = [];
    for (let r = 0; r < rooms; r++) ids.push(await alice.createRoom({ members: [bob.userId] }));
    await waitUntil(
      'bob in every room',
      60_000,
      () => bob.client.rooms().length === rooms,
      onAny([], [bob]),
    );
    await alice.close();
    for (const id of ids) {
      for (let i = 0; i < messages; i++) await bob.client.send(id, `message ${i} of the room`);
    }
    const complete = (node: KithNode) => () =>
      node.client.rooms().length === rooms &&
      ids.every(
        (id) => node.client.timeline(id).length >= messages && node.client.syncStatus(id).complete,
      );

    const linkStart = performance.now();
    const shown = bob.devices.linker.create();
    const off = bob.devices.linker.on((e) => {
      if (e.type === 'request') bob.devices.linker.decide(e.request.deviceId, true);
    });
    const { device: phone } = await KithNode.link({
      dataDir: await dirs.make('link-phone'),
      deviceName: 'phone',
      link: shown.text,
      listen: LOOPBACK,
      mdns: false,
    });
    nodes.push(phone);
    const linked = performance.now();
    await waitUntil(
      'the linked device to hold every room',
      600_000,
      complete(phone),
      onAny([], [phone]),
    );
    const linkMs = performance.now() - linkStart;
    off();

    const catchStart = performance.now();
    alice = await openDevice(aliceDir, 'alice');
    nodes.push(alice);
    void alice.tick();
    await waitUntil('alice to catch up', 600_000, complete(alice), onAny([], [alice]));
    const catchMs = performance.now() - catchStart;
    report(
      `device link: ${rooms} rooms of ${messages.toLocaleString('en')} messages`,
      [
        [
          { name: 'link → history complete', nsPerOp: linkMs * 1e6 },
          { name: 'existing device catch-up', nsPerOp: catchMs * 1e6 },
        ],
      ],
      'ms',
    );
    console.log(`of which: link protocol and open ${format(linked - linkStart)} ms`);
  } finally {
    for (const n of nodes) await n.close().catch(() => undefined);
    await dirs.removeAll();
  }
}
