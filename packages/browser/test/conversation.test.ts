import { afterAll, describe, expect, inject, it } from 'vitest';
import { commands } from 'vitest/browser';
import { messageText, toHex, type RoomId, type UserId } from '@kith/core';
import { KithBrowser } from '../src/index.ts';
import type { MessageView } from './fixtures/peer-protocol.ts';
import { message, uniqueName, until } from './helpers.ts';

const PEER = 'conversation';
const AWAY_PEER = 'offline';
const relay = inject('relayAddress');

afterAll(async () => {
  await commands.nodePeerStop(PEER);
  await commands.nodePeerStop(AWAY_PEER);
});

function openTab(name: string): Promise<KithBrowser> {
  return KithBrowser.open({
    name,
    deviceName: 'tab',
    relays: [relay],
    dialInsecure: true,
    tickMs: 500,
    mailboxPollMs: 2000,
  });
}

async function peerMessage(roomId: RoomId, text: string, reaction?: string): Promise<MessageView> {
  return (await commands.nodePeer(PEER, {
    op: 'waitForMessage',
    roomId,
    text,
    ...(reaction === undefined ? {} : { reaction }),
  })) as MessageView;
}

describe('a browser tab and a KithNode, through a relay', () => {
  it('exchange text, replies, reactions and edits both ways, and the tab keeps it all across a reload', async () => {
    await commands.nodePeerStart(PEER);
    const peer = (await commands.nodePeer(PEER, { op: 'open', relay })) as {
      userId: UserId;
      peerId: string;
      contactLink: string;
    };
    const name = uniqueName('conversation');
    let tab = await openTab(name);
    await commands.nodePeer(PEER, { op: 'addContact', link: tab.contactLink('Tab') });
    await tab.addContact(peer.contactLink);

    // The tab invites the Node device: its key package comes over the relayed connection.
    const joined = commands.nodePeer(PEER, { op: 'firstRoom' });
    const roomId = await tab.createRoom({ name: 'tab and node', members: [peer.userId] });
    expect(await joined).toBe(roomId);
    // A browser cannot dial the Node device's TCP address: they met through the relay, and may
    // have moved to WebRTC already (signalled through it).
    const withPeer = tab.libp2p
      .getConnections()
      .filter((c) => c.remotePeer.toString() === peer.peerId)
      .map((c) => c.remoteAddr.toString());
    expect(withPeer.length).toBeGreaterThan(0);
    for (const a of withPeer) {
      expect(a.startsWith(`${relay}/p2p-circuit`) || a.startsWith('/webrtc/')).toBe(true);
    }

    // Tab -> Node: text.
    const first = await tab.client.send(roomId, 'hello from the tab');
    expect((await peerMessage(roomId, 'hello from the tab')).sender).toBe(tab.userId);

    // Node -> tab: a reply to it.
    await commands.nodePeer(PEER, {
      op: 'send',
      roomId,
      text: 'hello tab',
      replyTo: toHex(first),
    });
    const reply = await message(tab, roomId, 'hello tab');
    expect(reply.sender).toBe(peer.userId);
    expect(toHex(reply.inReplyTo ?? new Uint8Array())).toBe(toHex(first));

    // Tab -> Node: a reaction and a reply.
    await tab.client.react(roomId, reply.messageId, '👍');
    expect((await peerMessage(roomId, 'hello tab', '👍')).reactions['👍']).toEqual([tab.userId]);
    await tab.client.send(roomId, 'a reply from the tab', { replyTo: reply.messageId });
    expect((await peerMessage(roomId, 'a reply from the tab')).inReplyTo).toBe(
      toHex(reply.messageId),
    );

    // Node -> tab: a reaction, then an edit.
    await commands.nodePeer(PEER, { op: 'react', roomId, messageId: toHex(first), emoji: '🎉' });
    await message(
      tab,
      roomId,
      'hello from the tab',
      (m) => m.reactions.get('🎉')?.has(peer.userId) === true,
    );
    await commands.nodePeer(PEER, {
      op: 'edit',
      roomId,
      messageId: toHex(reply.messageId),
      text: 'hello tab (edited)',
    });
    const edited = await message(tab, roomId, 'hello tab (edited)');
    expect(toHex(edited.messageId)).toBe(toHex(reply.messageId));
    expect(edited.edited).toBe(true);

    // Tab -> Node: an edit.
    await tab.client.edit(roomId, first, 'hello from the tab (edited)');
    expect((await peerMessage(roomId, 'hello from the tab (edited)')).edited).toBe(true);

    // A reload: the tab closes and opens the device again from IndexedDB.
    const before = tab.client.timeline(roomId).map((m) => messageText(m.content));
    const userId = tab.userId;
    await tab.close();
    tab = await openTab(name);
    try {
      expect(tab.userId).toBe(userId);
      expect(tab.client.rooms().map((r) => r.roomId)).toEqual([roomId]);
      expect(tab.client.timeline(roomId).map((m) => messageText(m.content))).toEqual(before);
      const kept = tab.client.timeline(roomId).find((m) => toHex(m.messageId) === toHex(first));
      expect(kept?.reactions.get('🎉')?.has(peer.userId)).toBe(true);
      // And the room still works after the reload, both ways.
      await tab.client.send(roomId, 'back after a reload');
      await peerMessage(roomId, 'back after a reload');
      await commands.nodePeer(PEER, { op: 'send', roomId, text: 'welcome back' });
      await until(tab, () =>
        tab.client.timeline(roomId).find((m) => messageText(m.content) === 'welcome back'),
      );
    } finally {
      await tab.close();
    }
  });
});

describe('a browser tab that was closed', () => {
  it('catches up from the relay mailbox on reopening, with the sender gone offline', async () => {
    await commands.nodePeerStart(AWAY_PEER);
    const peer = (await commands.nodePeer(AWAY_PEER, { op: 'open', relay })) as {
      userId: UserId;
      contactLink: string;
    };
    const name = uniqueName('offline');
    let tab = await openTab(name);
    await commands.nodePeer(AWAY_PEER, { op: 'addContact', link: tab.contactLink('Tab') });
    await tab.addContact(peer.contactLink);
    const joined = commands.nodePeer(AWAY_PEER, { op: 'firstRoom' });
    const roomId = await tab.createRoom({ name: 'away', members: [peer.userId] });
    expect(await joined).toBe(roomId);
    await tab.client.send(roomId, 'see you later');
    await commands.nodePeer(AWAY_PEER, { op: 'waitForMessage', roomId, text: 'see you later' });

    await tab.close();
    await commands.nodePeer(AWAY_PEER, {
      op: 'send',
      roomId,
      text: 'written while the tab was closed',
    });
    // Closing waits until the relays have been offered every message: the sender is gone now.
    await commands.nodePeerStop(AWAY_PEER);

    tab = await openTab(name);
    try {
      const caught = await message(tab, roomId, 'written while the tab was closed');
      expect(caught.sender).toBe(peer.userId);
    } finally {
      await tab.close();
    }
  });
});
