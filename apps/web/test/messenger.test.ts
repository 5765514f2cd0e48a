import { afterEach, describe, expect, it } from 'vitest';
import type { RoomId } from '@kith/core';
import { Messenger } from '../src/model/messenger.ts';
import { timelineRows } from '../src/model/timeline-rows.ts';
import { TestDevice, TestWorld, until } from './test-device.ts';

let world: TestWorld;
afterEach(async () => {
  await world.close();
});

async function pair(): Promise<{ alice: Messenger; bob: Messenger; roomId: RoomId }> {
  world = new TestWorld();
  const alice = new Messenger(await TestDevice.open(world, 'alice tab'), 'Alice');
  const bob = new Messenger(await TestDevice.open(world, 'bob tab'), 'Bob');
  await alice.device.client.setProfile({ displayName: 'Alice' });
  await bob.device.client.setProfile({ displayName: 'Bob' });
  await alice.addContact(bob.contactLink());
  await bob.addContact(alice.contactLink());
  const roomId = await alice.createRoom('friends', [bob.me]);
  await until(bob.device.client, () => bob.roomLists().rooms.length === 1);
  return { alice, bob, roomId };
}

describe('the messenger view-model over a KithClient', () => {
  it('shows a room with unread counts, and marks it read', async () => {
    const { alice, bob, roomId } = await pair();
    let notified = 0;
    bob.subscribe(() => notified++);
    await alice.send(roomId, 'hello **Bob**');
    await alice.send(roomId, 'second');
    await until(bob.device.client, () => bob.messages(roomId).length === 2);
    expect(notified).toBeGreaterThan(0);
    expect(bob.roomLists().rooms[0]).toMatchObject({ name: 'friends', unread: 2, dm: false });
    expect(bob.roomLists().unread).toBe(2);
    const [first] = bob.messages(roomId);
    expect(first?.senderName).toBe('Alice');
    expect(first?.blocks).toEqual([
      {
        t: 'p',
        c: [
          { t: 'text', v: 'hello ' },
          { t: 'strong', c: [{ t: 'text', v: 'Bob' }] },
        ],
      },
    ]);
    // The marker sits before the first unread message, frozen at the position the room opened with.
    const opened = bob.readPosition(roomId);
    await bob.markRead(roomId);
    expect(bob.roomLists().rooms[0]?.unread).toBe(0);
    const rows = timelineRows(bob.messages(roomId), opened, () => 'Today');
    expect(rows.map((r) => r.kind)).toEqual(['day', 'new', 'message', 'message']);
    // Alice sees her message read.
    await until(alice.device.client, () => alice.messages(roomId)[1]?.receipt?.state === 'read');
    expect(alice.messages(roomId)[1]?.receipt?.text).toBe('✓✓ Read by 1');
    expect(bob.syncText(roomId)).toMatch(/^History complete/);
  });

  it('shows an own message sent, then stored on a relay once one acknowledges it', async () => {
    world = new TestWorld();
    const acks: (() => void)[] = [];
    const device = await TestDevice.open(world, 'alice tab', (t) => ({
      ...t,
      subscribe: (topic) => {
        t.subscribe(topic);
      },
      unsubscribe: (topic) => {
        t.unsubscribe(topic);
      },
      publish: (topic, data, options) => {
        // What a relay calls once it keeps the copy.
        if (options?.onStored !== undefined && options.ephemeral !== true) {
          acks.push(options.onStored);
        }
        return t.publish(topic, data, options);
      },
      sendTo: (d, data) => t.sendTo(d, data),
      onMessage: (h) => t.onMessage(h),
      onPeer: (h) => t.onPeer(h),
      close: () => t.close(),
    }));
    const alice = new Messenger(device, 'Alice');
    const roomId = await alice.createRoom('notes to self', []);
    acks.length = 0;
    await alice.send(roomId, 'kept?');
    expect(alice.messages(roomId)[0]?.receipt).toMatchObject({ state: 'sent', text: '✓ Sent' });
    expect(acks).toHaveLength(1);
    acks[0]?.();
    expect(alice.messages(roomId)[0]?.receipt).toMatchObject({
      state: 'stored',
      text: '✓ Stored on a relay',
    });
  });

  it('remembers with the device when it was last online, and says so while offline', async () => {
    world = new TestWorld();
    const device = await TestDevice.open(world, 'alice tab');
    const first = new Messenger(device, 'Alice');
    await first.load();
    expect(first.connection(false, 1_000).text).not.toMatch(/last online/);
    device.relays = [{ address: '/ip4/127.0.0.1/tcp/1/ws', connected: true, reserved: true }];
    expect(first.connection(true, 2_000).state).toBe('online');
    first.dispose();
    // The page opens again, offline.
    device.relays = [];
    const again = new Messenger(device, 'Alice');
    await expect.poll(() => device.appData.get('web', 'last-online')).toBe(2_000);
    await again.load();
    expect(again.connection(false, 3_000).text).toMatch(/\(last online .+\)$/);
  });

  it('replies with a quote, edits, reacts (and takes the reaction back) and retracts', async () => {
    const { alice, bob, roomId } = await pair();
    const first = await alice.send(roomId, 'original');
    await until(bob.device.client, () => bob.messages(roomId).length === 1);
    await bob.send(roomId, 'a reply', { replyTo: first });
    await until(alice.device.client, () => alice.messages(roomId).length === 2);
    expect(alice.messages(roomId)[1]?.quote).toEqual({ senderName: 'Alice', text: 'original' });

    await alice.edit(roomId, first, 'changed');
    await until(bob.device.client, () => bob.messages(roomId)[0]?.edited === true);
    expect(bob.messages(roomId)[0]?.text).toBe('changed');
    expect(bob.messages(roomId)[0]?.versions.map((v) => v.text)).toEqual(['original', 'changed']);
    expect(bob.messages(roomId)[1]?.quote?.text).toBe('changed');

    await bob.toggleReaction(roomId, first, '👍');
    await until(alice.device.client, () => alice.messages(roomId)[0]?.reactions.length === 1);
    expect(alice.messages(roomId)[0]?.reactions).toEqual([
      { emoji: '👍', count: 1, mine: false, names: ['Bob'] },
    ]);
    expect(bob.messages(roomId)[0]?.reactions[0]?.mine).toBe(true);
    await bob.toggleReaction(roomId, first, '👍');
    await until(alice.device.client, () => alice.messages(roomId)[0]?.reactions.length === 0);

    await alice.retract(roomId, first);
    await until(bob.device.client, () => bob.messages(roomId)[0]?.retracted === true);
    expect(bob.messages(roomId)[0]).toMatchObject({ text: '', blocks: [] });
    expect(bob.messages(roomId)[1]?.quote?.text).toBe('Message deleted');
  });

  it('keeps DMs apart, one per person, and turns @names into mentions', async () => {
    const { alice, bob, roomId } = await pair();
    const [dm, again] = await Promise.all([alice.openDm(bob.me), alice.openDm(bob.me)]);
    expect(again).toBe(dm);
    await until(bob.device.client, () => bob.roomLists().dms.length === 1);
    expect(alice.roomLists().dms.map((r) => [r.roomId, r.name])).toEqual([[dm, 'Bob']]);
    expect(bob.roomLists().dms[0]?.name).toBe('Alice');
    await alice.device.client.setPresence('away');
    await until(bob.device.client, () => bob.roomLists().dms[0]?.presence === 'away');
    expect(alice.roomLists().rooms.map((r) => r.roomId)).toEqual([roomId]);

    await alice.send(roomId, 'hi @Bob');
    await until(bob.device.client, () => bob.messages(roomId).length === 1);
    const m = bob.messages(roomId)[0];
    expect(m?.mentionsMe).toBe(true);
    expect(m?.blocks[0]).toEqual({
      t: 'p',
      c: [
        { t: 'text', v: 'hi ' },
        { t: 'mention', user: bob.me, label: 'Bob' },
      ],
    });
    expect(bob.roomLists().rooms.find((r) => r.roomId === roomId)?.mentions).toBe(true);
    // Newest activity first: the group with a message comes before the empty DM in time order.
    expect(bob.roomLists().rooms[0]?.lastActivity).toBeGreaterThan(0);
  });

  it('tells of DM messages and mentions from others, not of other messages', async () => {
    const { alice, bob, roomId } = await pair();
    const notices: string[] = [];
    bob.onNotice((n) => notices.push(`${n.title}: ${n.body}`));
    await alice.send(roomId, 'no mention here');
    await alice.send(roomId, 'hey @Bob, **look**');
    const dm = await alice.openDm(bob.me);
    await alice.send(dm, 'just us');
    await until(bob.device.client, () => notices.length === 2);
    expect(notices).toEqual(['Alice mentioned you in friends: hey @Bob, look', 'Alice: just us']);
  });

  it('keeps thread replies in their thread, counted on the root', async () => {
    const { alice, bob, roomId } = await pair();
    const root = await alice.send(roomId, 'a topic');
    await until(bob.device.client, () => bob.messages(roomId).length === 1);
    await bob.send(roomId, 'in the thread', { threadId: root });
    await bob.send(roomId, 'in the main timeline');
    await until(alice.device.client, () => alice.threadReplies(roomId).get(root) === 1);
    await until(alice.device.client, () => alice.messages(roomId).length === 2);
    expect(alice.messages(roomId).map((m) => m.text)).toEqual(['a topic', 'in the main timeline']);
    expect(alice.threadMessages(roomId, root).map((m) => m.text)).toEqual([
      'a topic',
      'in the thread',
    ]);
  });

  it('exports a room and imports it again, with progress', async () => {
    const { alice, roomId } = await pair();
    await alice.send(roomId, 'one');
    await alice.send(roomId, 'two');
    const { text, fileName } = alice.exportHistory(roomId);
    expect(fileName).toBe('kith-friends.jsonl');
    const progress: number[] = [];
    const done = await alice.importHistory('kith', text, (n) => progress.push(n));
    expect(done).toMatchObject({ imported: 2, skipped: 0 });
    expect(progress.at(-1)).toBe(2);
    expect(alice.messages(done.roomId).map((m) => m.text)).toEqual(['one', 'two']);
    // Imported: shown as the original author's, with who imported it; no receipts of this device.
    expect(alice.messages(done.roomId)[0]).toMatchObject({
      senderName: 'Alice',
      importedBy: 'Alice',
      mine: false,
      receipt: undefined,
    });
    await expect(alice.importHistory('matrix', 'not json', () => undefined)).rejects.toThrow(
      'not JSON',
    );
  });

  it('blocks and unblocks a user, hiding their messages, and keeps the invite policy', async () => {
    const { alice, bob, roomId } = await pair();
    await alice.send(roomId, 'hidden from Bob');
    await alice.send(roomId, 'also hidden');
    await until(bob.device.client, () => bob.messages(roomId).length === 2);
    await bob.safety.block(alice.me);
    expect(bob.safety.blocked()).toEqual([{ userId: alice.me, displayName: 'Alice' }]);
    expect(bob.messages(roomId)).toEqual([]);
    expect(bob.device.client.hiddenCount(roomId)).toBe(2);
    await bob.safety.unblock(alice.me);
    expect(bob.messages(roomId).map((m) => m.text)).toEqual(['hidden from Bob', 'also hidden']);
    await bob.safety.setInvitePolicy('contacts');
    expect(bob.safety.invitePolicy).toBe('contacts');
  });

  it('shows who is typing, not counting this user', async () => {
    const { alice, bob, roomId } = await pair();
    await alice.setTyping(roomId, true);
    await until(bob.device.client, () => bob.typing(roomId).length === 1);
    expect(bob.typing(roomId)).toEqual(['Alice']);
    expect(alice.typing(roomId)).toEqual([]);
  });

  it('never shows a hostile message as markup: raw HTML stays text, scripts never become links', async () => {
    const { alice, bob, roomId } = await pair();
    // A member who bypasses their own client sends raw HTML as Markdown and as plain text.
    const hostile =
      '<img src=x onerror=alert(1)> [x](javascript:alert(1)) <script>alert(2)</script>';
    await alice.device.client.send(roomId, hostile, { markdown: true });
    await alice.device.client.send(roomId, hostile);
    await until(bob.device.client, () => bob.messages(roomId).length === 2);
    for (const m of bob.messages(roomId)) {
      const json = JSON.stringify(m.blocks);
      expect(json).not.toContain('"t":"link"');
      expect(json).toContain('alert(1)');
    }
  });

  it('shows what each role may do, sets disappearing messages, and bans', async () => {
    const { alice, bob, roomId } = await pair();
    const bobAsSeenByAlice = alice.moderation
      .admin(roomId)
      .members.find((m) => m.userId === bob.me);
    expect(bobAsSeenByAlice).toMatchObject({ name: 'Bob', role: 'member' });
    expect(bobAsSeenByAlice?.kick.ok).toBe(true);
    const aliceAsSeenByBob = bob.moderation
      .admin(roomId)
      .members.find((m) => m.userId === alice.me);
    expect(aliceAsSeenByBob?.kick).toEqual({ ok: false, why: 'Your role may not remove members' });
    expect(bob.moderation.admin(roomId).changeSettings.ok).toBe(false);

    expect(bob.moderation.admin(roomId).rename).toEqual({
      ok: false,
      why: 'Your role may not rename the room',
    });
    await alice.moderation.setRoomProfile(roomId, { name: 'renamed', topic: 'a topic' });
    await until(bob.device.client, () => bob.moderation.admin(roomId).name === 'renamed');
    expect(bob.moderation.admin(roomId).topic).toBe('a topic');
    await alice.moderation.setDisappearing(roomId, 3_600_000);
    await until(
      bob.device.client,
      () => bob.moderation.admin(roomId).disappearAfterMs === 3_600_000,
    );
    await alice.send(roomId, 'gone in an hour');
    await until(bob.device.client, () => bob.messages(roomId).length === 1);
    const expiresAt = bob.messages(roomId)[0]?.expiresAt ?? 0;
    expect(expiresAt).toBeGreaterThan(Date.now());
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 3_601_000);

    await alice.moderation.ban(roomId, bob.me);
    await until(bob.device.client, () => !bob.device.client.room(roomId).active);
    expect(alice.moderation.admin(roomId).banned.map((b) => b.name)).toEqual(['Bob']);
    expect(bob.moderation.admin(roomId).leave.ok).toBe(false);
  });
});
