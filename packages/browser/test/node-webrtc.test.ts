import { afterAll, describe, expect, it } from 'vitest';
import { commands } from 'vitest/browser';
import type { UserId } from '@kith/core';
import { KithBrowser } from '../src/index.ts';
import { message, uniqueName } from './helpers.ts';
import { onlyWebRtc } from './fixtures/only-webrtc.ts';

const RELAY = 'node-webrtc';
const PEER = 'node-webrtc';

afterAll(async () => {
  await commands.nodePeerStop(PEER);
  await commands.relayStop(RELAY);
});

describe('a browser tab and a KithNode', () => {
  it('meet through a relay, move to WebRTC, and go on talking once the relay is gone', async () => {
    const [relay] = await Promise.all([commands.relayStart(RELAY), commands.nodePeerStart(PEER)]);
    const peer = (await commands.nodePeer(PEER, { op: 'open', relay })) as {
      userId: UserId;
      peerId: string;
      contactLink: string;
    };
    const tab = await KithBrowser.open({
      name: uniqueName('node-webrtc'),
      relays: [relay],
      dialInsecure: true,
      tickMs: 500,
      mailboxPollMs: 2000,
    });
    try {
      await commands.nodePeer(PEER, { op: 'addContact', link: tab.contactLink('Tab') });
      await tab.addContact(peer.contactLink);
      const joined = commands.nodePeer(PEER, { op: 'firstRoom' });
      const roomId = await tab.createRoom({ name: 'tab and node', members: [peer.userId] });
      expect(await joined).toBe(roomId);
      await tab.client.send(roomId, 'hello node');
      await commands.nodePeer(PEER, { op: 'waitForMessage', roomId, text: 'hello node' });

      // Whichever end dials (the lower peer ID), both end up on WebRTC alone.
      await onlyWebRtc(tab.libp2p, peer.peerId);
      const seenByNode = (await commands.nodePeer(PEER, {
        op: 'waitForWebRtc',
        peerId: tab.libp2p.peerId.toString(),
      })) as string[];
      expect(seenByNode.length).toBeGreaterThan(0);

      await commands.relayStop(RELAY);
      await tab.client.send(roomId, 'the relay is gone');
      const got = await commands.nodePeer(PEER, {
        op: 'waitForMessage',
        roomId,
        text: 'the relay is gone',
      });
      expect((got as { sender: string }).sender).toBe(tab.userId);
      await commands.nodePeer(PEER, { op: 'send', roomId, text: 'and we still talk' });
      expect((await message(tab, roomId, 'and we still talk')).sender).toBe(peer.userId);
    } finally {
      await tab.close();
    }
  });
});
