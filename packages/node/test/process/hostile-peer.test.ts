import { generateKeyPair } from '@libp2p/crypto/keys';
import { lpStream } from '@libp2p/utils';
import { multiaddr } from '@multiformats/multiaddr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromHex, roomTopic, type RoomId } from '@kith/core';
import { createDeviceLibp2p } from '../../src/net/create-libp2p.ts';
import { PeerGuard, Protocols, type DeviceLibp2p } from '@kith/runtime';
import { removeAll, startDevices, type DeviceHandle } from './device-handle.ts';

/** A libp2p node that speaks Kith's protocols badly: not a Kith device, just the same stack. */
async function attacker(): Promise<DeviceLibp2p> {
  return createDeviceLibp2p(await generateKeyPair('Ed25519'), new PeerGuard(), {
    listen: ['/ip4/127.0.0.1/tcp/0'],
    mdns: false,
  });
}

function disconnected(node: DeviceLibp2p, peer: string): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      if (node.getConnections().every((c) => c.remotePeer.toString() !== peer)) {
        node.removeEventListener('peer:disconnect', check);
        resolve();
      }
    };
    node.addEventListener('peer:disconnect', check);
    check();
  });
}

describe('a peer sending garbage on the Kith protocols', () => {
  let devices: DeviceHandle[] = [];
  let roomId: RoomId;
  const attackers: DeviceLibp2p[] = [];

  beforeAll(async () => {
    devices = await startDevices(['ana', 'ben']);
    const [ana, ben] = devices as [DeviceHandle, DeviceHandle];
    roomId = await ana.call<RoomId>('createRoom', { name: 'r', members: [ben.identity.userId] });
    await ben.until('joining', async () => (await ben.call<string[]>('rooms')).includes(roomId));
  }, 60_000);
  afterAll(async () => {
    for (const a of attackers) await a.stop();
    await removeAll(devices);
  }, 60_000);

  it('is cut off for a malformed direct frame, and cannot connect again', async () => {
    const [ana] = devices as [DeviceHandle];
    const bad = await attacker();
    attackers.push(bad);
    const address = multiaddr(ana.identity.addresses[0] ?? '');
    const peer = address.getComponents().find((c) => c.name === 'p2p')?.value ?? '';
    const stream = await bad.dialProtocol(address, Protocols.direct);
    const gone = disconnected(bad, peer);
    await lpStream(stream).write(Uint8Array.from([0xff, 0x00, 0x13, 0x37, 0x42]));
    await gone;
    await ana.until('the misbehaviour report', () =>
      Promise.resolve(ana.misbehaviours.some((m) => m.includes('malformed frame'))),
    );
    // Ana's gater refuses it now: no stream can be opened to her again.
    const again = await bad.dialProtocol(address, Protocols.direct).then(
      () => 'opened',
      () => 'refused',
    );
    expect(again).toBe('refused');
  });

  it('is cut off after repeated invalid gossip on a room topic', async () => {
    const [, ben] = devices as [DeviceHandle, DeviceHandle];
    const bad = await attacker();
    attackers.push(bad);
    const address = multiaddr(ben.identity.addresses[0] ?? '');
    const peer = address.getComponents().find((c) => c.name === 'p2p')?.value ?? '';
    const topic = roomTopic(fromHex(roomId) ?? new Uint8Array(32));
    bad.services.pubsub.subscribe(topic);
    await bad.dial(address);
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (bad.services.pubsub.getSubscribers(topic).some((p) => p.toString() === peer)) {
          bad.services.pubsub.removeEventListener('subscription-change', check);
          resolve();
        }
      };
      bad.services.pubsub.addEventListener('subscription-change', check);
      check();
    });
    const gone = disconnected(bad, peer);
    const state = { cut: false };
    void gone.then(() => {
      state.cut = true;
    });
    // Gossip sent before the attacker's stream to Ben is open is dropped on the attacker's side,
    // so it goes on sending a round of garbage at each gossipsub heartbeat until Ben hangs up
    // (bounded: 15 rounds of 8).
    const pubsub = bad.services.pubsub;
    let sent = 0;
    const round = async (): Promise<void> => {
      for (let i = 0; i < 8 && !state.cut; i++) {
        await pubsub.publish(topic, new TextEncoder().encode(`not mls ${sent++}`));
      }
    };
    await round();
    for (let beat = 0; beat < 15 && !state.cut; beat++) {
      await Promise.race([
        gone,
        new Promise((resolve) => {
          pubsub.addEventListener('gossipsub:heartbeat', resolve, { once: true });
        }),
      ]);
      await round();
    }
    await gone;
    await ben.until('the misbehaviour report', () =>
      Promise.resolve(ben.misbehaviours.some((m) => m.includes('invalid gossip'))),
    );
  });

  it('leaves the members talking as before', async () => {
    const [ana, ben] = devices as [DeviceHandle, DeviceHandle];
    await ana.call('send', { roomId, text: 'still here' });
    await ben.call('send', { roomId, text: 'me too' });
    await ana.hasAll(roomId, ['still here', 'me too']);
    await ben.hasAll(roomId, ['still here', 'me too']);
    expect(ana.errors).toEqual([]);
    expect(ben.errors).toEqual([]);
  });
});
