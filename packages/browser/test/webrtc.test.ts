import { afterAll, describe, expect, it } from 'vitest';
import { commands } from 'vitest/browser';
import { KithBrowser } from '../src/index.ts';
import { message, uniqueName } from './helpers.ts';

const RELAY = 'webrtc';

afterAll(async () => {
  await commands.relayStop(RELAY);
});

function isWebRtc(tab: KithBrowser, other: KithBrowser): boolean {
  const peer = other.libp2p.peerId.toString();
  const connections = tab.libp2p.getConnections().filter((c) => c.remotePeer.toString() === peer);
  return (
    connections.length > 0 && connections.every((c) => c.remoteAddr.toString().includes('/webrtc'))
  );
}

describe('two browser devices', () => {
  it('meet through a relay, move to WebRTC, and go on talking once the relay is gone', async () => {
    const relay = await commands.relayStart(RELAY);
    const open = (name: string) =>
      KithBrowser.open({ name, relays: [relay], dialInsecure: true, tickMs: 500 });
    const alice = await open(uniqueName('alice'));
    const bob = await open(uniqueName('bob'));
    try {
      await alice.addContact(bob.contactLink('Bob'));
      await bob.addContact(alice.contactLink('Alice'));
      const roomId = await alice.createRoom({ name: 'direct', members: [bob.userId] });
      await alice.client.send(roomId, 'hi bob');
      await message(bob, roomId, 'hi bob');
      await bob.client.send(roomId, 'hi alice');
      await message(alice, roomId, 'hi alice');

      // The relayed connection gives way to WebRTC on both ends.
      await new Promise<void>((resolve) => {
        const check = () => {
          if (!isWebRtc(alice, bob) || !isWebRtc(bob, alice)) return;
          alice.libp2p.removeEventListener('connection:close', check);
          bob.libp2p.removeEventListener('connection:close', check);
          resolve();
        };
        alice.libp2p.addEventListener('connection:close', check);
        bob.libp2p.addEventListener('connection:close', check);
        check();
      });

      await commands.relayStop(RELAY);
      await alice.client.send(roomId, 'the relay is gone');
      expect((await message(bob, roomId, 'the relay is gone')).sender).toBe(alice.userId);
      await bob.client.send(roomId, 'and we still talk');
      expect((await message(alice, roomId, 'and we still talk')).sender).toBe(bob.userId);
    } finally {
      await alice.close();
      await bob.close();
    }
  });
});
