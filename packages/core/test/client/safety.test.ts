import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import type { KithEvent, KithEventOf } from '../../src/client/events.ts';
import { KithClient } from '../../src/client/kith-client.ts';
import type { UserId } from '../../src/ids.ts';
import { KvStore } from '../../src/storage/store.ts';
import { texts, World } from './world.ts';

/** A device whose contact book holds `contacts` (KithNode supplies `isContact` the same way). */
async function withContacts(
  world: World,
  name: string,
  contacts: ReadonlySet<UserId>,
): Promise<KithClient> {
  const client = await KithClient.open({
    storage: new MemoryLevel<string, Uint8Array>(KvStore.databaseOptions),
    transport: (device) => world.network.endpoint(device.deviceId),
    clock: world.network.clock,
    random: world.random.fork(),
    deviceName: name,
    onError: (error) => {
      throw error;
    },
    isContact: (user) => contacts.has(user),
  });
  world.clients.push(client);
  return client;
}

function collect<T extends KithEvent['type']>(c: KithClient, type: T): KithEventOf<T>[] {
  const events: KithEventOf<T>[] = [];
  c.on(type, (e) => events.push(e));
  return events;
}

describe('blocking a user', () => {
  it('hides their messages and reactions from the blocker alone, and unblocking shows them again', async () => {
    const world = new World(71);
    const [a, b, c] = [await world.add('a'), await world.add('b'), await world.add('c')];
    const roomId = await a.createRoom({ name: 'club' });
    await world.invite(a, roomId, [b, c]);
    await b.send(roomId, 'from b');
    const fromC = await c.send(roomId, 'from c');
    await world.settle();
    await b.react(roomId, fromC, '👍');
    await a.react(roomId, fromC, '🎉');
    await world.settle();

    const blocked = collect(a, 'blocked');
    await a.blockUser(b.userId);
    expect(blocked).toEqual([{ type: 'blocked', user: b.userId, blocked: true }]);
    expect(a.blockedUsers().map((x) => x.userId)).toEqual([b.userId]);
    expect(texts(a, roomId)).toEqual(['from c']);
    const seen = a.timeline(roomId)[0];
    expect([...(seen?.reactions.keys() ?? [])]).toEqual(['🎉']);
    expect(seen?.content).toEqual(c.timeline(roomId).find((m) => m.sender === c.userId)?.content);
    expect(a.hiddenCount(roomId)).toBe(1);

    // What the blocked user sends next raises no event on the blocker's device.
    const shown = collect(a, 'timeline');
    await b.send(roomId, 'after the block');
    await world.settle();
    expect(shown.flatMap((e) => e.changes)).toEqual([]);
    expect(texts(c, roomId)).toContain('after the block');
    expect(texts(a, roomId)).toEqual(['from c']);

    await a.unblockUser(b.userId);
    expect(blocked.at(-1)).toEqual({ type: 'blocked', user: b.userId, blocked: false });
    expect(texts(a, roomId).sort()).toEqual(['after the block', 'from b', 'from c']);
    const cMessage = a.timeline(roomId).find((m) => m.sender === c.userId);
    expect(cMessage?.reactions.get('👍')).toEqual(new Set([b.userId]));
    await b.send(roomId, 'unblocked');
    await world.settle();
    expect(shown.flatMap((e) => e.changes).map((x) => x.type)).toEqual(['added']);
  });

  it('counts unread from a read position on a message hidden since (its sender blocked)', async () => {
    const world = new World(72);
    const [a, b, c] = [await world.add('a'), await world.add('b'), await world.add('c')];
    const roomId = await a.createRoom({ name: 'club' });
    await world.invite(a, roomId, [b, c]);
    await c.send(roomId, 'from c');
    await world.settle();
    await b.send(roomId, 'from b');
    await world.settle();
    expect(a.unreadCount(roomId)).toBe(2);
    // Read up to b's message, the newest; then b is blocked and that message is hidden.
    const newest = a.timeline(roomId).at(-1);
    expect(newest?.sender).toBe(b.userId);
    if (newest !== undefined) await a.markRead(roomId, newest.messageId);
    await a.blockUser(b.userId);
    expect(texts(a, roomId)).toEqual(['from c']);
    expect(a.unreadCount(roomId)).toBe(0); // c's message came before the position
    await c.send(roomId, 'later from c');
    await b.send(roomId, 'later from b');
    await world.settle();
    expect(a.unreadCount(roomId)).toBe(1); // b's is hidden, not unread
  });

  it('is kept across restarts, with the invite policy', async () => {
    const world = new World(72);
    const [a, b] = [await world.add('a'), await world.add('b')];
    await a.blockUser(b.userId);
    await a.blockUser(b.userId); // twice is once
    await a.setInvitePolicy('contacts');
    const again = await world.restart(a);
    expect(again.blockedUsers()).toHaveLength(1);
    expect(again.isBlocked(b.userId)).toBe(true);
    expect(again.invitePolicy).toBe('contacts');
    await again.unblockUser(b.userId);
    const third = await world.restart(again);
    expect(third.blockedUsers()).toEqual([]);
  });

  it('refuses nonsense: blocking oneself, an unknown policy', async () => {
    const world = new World(73);
    const a = await world.add('a');
    await expect(a.blockUser(a.userId)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(a.blockUser('not a user' as UserId)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(a.setInvitePolicy('friends' as 'anyone')).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    expect(a.invitePolicy).toBe('anyone');
  });

  it('refuses their invitations and DMs, reported once, and a DM with them cannot be started', async () => {
    const world = new World(74);
    const [a, b] = [await world.add('a'), await world.add('b')];
    await a.blockUser(b.userId);
    const refused = collect(a, 'inviteRefused');
    const joined = collect(a, 'joined');
    const group = await b.createRoom({ name: 'trap', invite: [await a.createKeyPackage()] });
    const dm = await b.createRoom({ dm: true, invite: [await a.createKeyPackage()] });
    await world.settle();
    await world.tickAll(); // b resends its Welcomes to a device that never answered
    expect(joined).toEqual([]);
    expect(a.rooms()).toEqual([]);
    expect(refused).toEqual([
      {
        type: 'inviteRefused',
        roomId: group,
        from: b.userId,
        device: b.deviceId,
        reason: 'blocked',
      },
      { type: 'inviteRefused', roomId: dm, from: b.userId, device: b.deviceId, reason: 'blocked' },
    ]);
    await expect(
      a.createRoom({ dm: true, invite: [await b.createKeyPackage()] }),
    ).rejects.toMatchObject({ code: 'NOT_ALLOWED' });
    expect(a.rooms()).toEqual([]);
  });
});

describe('who can invite me', () => {
  it("'contacts' takes a contact's invitation and refuses a stranger's; 'nobody' refuses all", async () => {
    const world = new World(75);
    const [a, b] = [await world.add('a'), await world.add('b')];
    const c = await withContacts(world, 'c', new Set([a.userId]));
    await c.setInvitePolicy('contacts');
    const refused = collect(c, 'inviteRefused');

    const fromContact = await a.createRoom({
      name: 'friends',
      invite: [await c.createKeyPackage()],
    });
    const fromStranger = await b.createRoom({ name: 'spam', invite: [await c.createKeyPackage()] });
    await world.settle();
    expect(c.rooms().map((r) => r.roomId)).toEqual([fromContact]);
    expect(refused).toMatchObject([
      { roomId: fromStranger, from: b.userId, reason: 'not-a-contact' },
    ]);

    await c.setInvitePolicy('nobody');
    const again = await a.createRoom({ name: 'more', invite: [await c.createKeyPackage()] });
    await world.settle();
    expect(c.rooms().map((r) => r.roomId)).toEqual([fromContact]);
    expect(refused.at(-1)).toMatchObject({ roomId: again, from: a.userId, reason: 'nobody' });
    // Members of a room c is in are not refused: the policy is about joining rooms.
    await a.send(fromContact, 'still here');
    await world.settle();
    expect(texts(c, fromContact)).toEqual(['still here']);
  });

  it('is read when the Welcome arrives: after opening up, a resent invitation is taken', async () => {
    const world = new World(76);
    const [a, c] = [await world.add('a'), await world.add('c')];
    await c.setInvitePolicy('nobody');
    const roomId = await a.createRoom({ name: 'later', invite: [await c.createKeyPackage()] });
    await world.settle();
    expect(c.rooms()).toEqual([]);
    await c.setInvitePolicy('anyone');
    await world.tickAll();
    expect(c.room(roomId).active).toBe(true);
    await a.send(roomId, 'welcome after all');
    await world.settle();
    expect(texts(c, roomId)).toEqual(['welcome after all']);
  });
});
