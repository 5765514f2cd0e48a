import { describe, expect, it } from 'vitest';
import type { KithEvent, KithEventOf } from '../../src/client/events.ts';
import { Roles } from '../../src/room/roles.ts';
import { texts, World } from './world.ts';

async function threeInRoom(seed: number) {
  const world = new World(seed);
  const [a, b, c] = [await world.add('a'), await world.add('b'), await world.add('c')];
  const roomId = await a.createRoom({ name: 'club' });
  await world.invite(a, roomId, [b, c]);
  return { world, a, b, c, roomId };
}

describe('control plane through the client', () => {
  it('renames, changes roles, and refuses what a role may not do, for everyone alike', async () => {
    const { world, a, b, c, roomId } = await threeInRoom(2);
    await expect(b.setRoomProfile(roomId, { name: 'mine' })).rejects.toMatchObject({
      name: 'ClientError',
      code: 'NOT_ALLOWED',
    });
    await a.setRole(roomId, b.userId, 'moderator');
    await world.settle();
    expect(c.roomState(roomId).participants.get(b.userId)).toBe(Roles.moderator);
    await b.setRoomProfile(roomId, { name: 'renamed', topic: 'a topic' });
    await world.settle();
    for (const x of [a, b, c]) {
      expect(x.room(roomId).name).toBe('renamed');
      expect(x.room(roomId).topic).toBe('a topic');
    }
    await expect(c.ban(roomId, b.userId)).rejects.toMatchObject({ code: 'NOT_ALLOWED' });
    expect(a.room(roomId).epoch).toBe(c.room(roomId).epoch);
  });

  it('a removed member sees itself out and reads nothing sent afterwards', async () => {
    const { world, a, b, c, roomId } = await threeInRoom(3);
    const events: KithEvent[] = [];
    c.on('left', (e) => events.push(e));
    const seen: KithEventOf<'membership'>[] = [];
    b.on('membership', (e) => seen.push(e));
    await a.send(roomId, 'before');
    await world.settle();
    await a.remove(roomId, c.userId);
    await world.settle();
    expect(events).toHaveLength(1);
    // Every member can say who removed whom: not a leave.
    expect(seen.map((e) => ({ removed: e.removed, left: e.left, by: e.by }))).toEqual([
      { removed: [c.userId], left: [], by: a.userId },
    ]);
    expect(c.room(roomId).active).toBe(false);
    await a.send(roomId, 'after');
    await world.settle();
    expect(texts(b, roomId)).toEqual(['before', 'after']);
    expect(texts(c, roomId)).toEqual(['before']);
    await expect(c.send(roomId, 'still here?')).rejects.toMatchObject({ code: 'NOT_IN_ROOM' });
  });

  it('a banned user cannot be invited again until unbanned', async () => {
    const { world, a, c, roomId } = await threeInRoom(4);
    await a.ban(roomId, c.userId);
    await world.settle();
    const kp = await c.createKeyPackage();
    await expect(a.invite(roomId, [kp])).rejects.toMatchObject({ code: 'BANNED' });
    await a.unban(roomId, c.userId);
    await a.invite(roomId, [kp]);
    await world.settle();
    expect(a.roomState(roomId).participants.get(c.userId)).toBe(Roles.member);
    expect(c.room(roomId).active).toBe(true);
  });

  it('leaving: the leaver proposes, another member commits, the room agrees', async () => {
    const { world, a, b, c, roomId } = await threeInRoom(5);
    const seen: KithEventOf<'membership'>[] = [];
    c.on('membership', (e) => seen.push(e));
    await b.leave(roomId);
    await world.settle();
    // A leave, though another member's device committed it.
    expect(seen.map((e) => ({ removed: e.removed, left: e.left }))).toEqual([
      { removed: [b.userId], left: [b.userId] },
    ]);
    expect(seen[0]?.by).not.toBe(b.userId);
    for (const x of [a, c]) expect(x.roomState(roomId).participants.has(b.userId)).toBe(false);
    expect(b.room(roomId).active).toBe(false);
    expect(a.room(roomId).devices).toHaveLength(2);
  });

  it('a DM holds exactly its two users', async () => {
    const world = new World(6);
    const [a, b, c] = [await world.add('a'), await world.add('b'), await world.add('c')];
    const dm = await a.createRoom({ dm: true, invite: [await b.createKeyPackage()] });
    await world.settle();
    expect(b.room(dm).kind).toBe('dm');
    await expect(a.invite(dm, [await c.createKeyPackage()])).rejects.toMatchObject({
      code: 'DM_FIXED',
    });
    await expect(a.createRoom({ dm: true, invite: [] })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });
});
