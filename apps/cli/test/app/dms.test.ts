import type { RoomId, RoomSummary, UserId } from '@kith/core';
import { describe, expect, it } from 'vitest';
import { DmStarter, dmPartner, dmWith, duplicateDms } from '../../src/app/dms.ts';
import { parseLine } from '../../src/tui/commands.ts';

const me = 'u-me' as UserId;
const ben = 'u-ben' as UserId;
const cai = 'u-cai' as UserId;

function room(roomId: string, kind: 'dm' | 'group', users: UserId[], active = true): RoomSummary {
  return {
    roomId: roomId as RoomId,
    kind,
    name: '',
    topic: '',
    avatar: undefined,
    history: 'all',
    disappearAfterMs: undefined,
    withheld: 0,
    epoch: 1n,
    active,
    participants: users.map((userId) => ({ userId, role: 'owner' })),
    devices: [],
  };
}

describe('one DM per pair of users', () => {
  const rooms = [
    room('bb', 'dm', [me, ben]),
    room('aa', 'dm', [ben, me]), // the same pair, started by the other side at the same time
    room('cc', 'group', [me, ben]),
    room('dd', 'dm', [me, cai], false), // left
    room('ee', 'dm', [me]), // the other user left
  ];

  it('finds the DM with a user, the lower room ID when there are two', () => {
    expect(dmWith(rooms, me, ben)).toBe('aa');
    expect(dmWith(rooms, me, cai)).toBeUndefined();
    const [first, , group] = rooms;
    expect(first && dmPartner(first, me)).toBe(ben);
    expect(group && dmPartner(group, me)).toBeUndefined();
  });

  it('hides the duplicates from the room list, whatever order the rooms come in', () => {
    expect(duplicateDms(rooms, me)).toEqual(new Set(['bb']));
    expect(duplicateDms([...rooms].reverse(), me)).toEqual(new Set(['bb']));
  });

  it('two quick starts for one user make one room', async () => {
    const made: RoomId[] = [];
    const starter = new DmStarter();
    const start = () =>
      starter.start(
        ben,
        () => made[0],
        async () => {
          await Promise.resolve();
          const roomId = `r${made.length}` as RoomId;
          made.push(roomId);
          return roomId;
        },
      );
    const [one, two] = await Promise.all([start(), start()]);
    expect(made).toEqual(['r0']);
    expect(one).toEqual({ roomId: 'r0', created: true });
    expect(two).toEqual({ roomId: 'r0', created: false });
  });
});

describe('safety commands in the chat', () => {
  it('reads /block, /unblock, /blocked and /invites', () => {
    expect(parseLine('/block "Ben B"')).toEqual({
      ok: true,
      command: { kind: 'block', user: 'Ben B' },
    });
    expect(parseLine('/unblock ben')).toEqual({
      ok: true,
      command: { kind: 'unblock', user: 'ben' },
    });
    expect(parseLine('/blocked')).toEqual({ ok: true, command: { kind: 'blocked' } });
    expect(parseLine('/invites contacts')).toEqual({
      ok: true,
      command: { kind: 'invites', policy: 'contacts' },
    });
    expect(parseLine('/invites')).toEqual({
      ok: true,
      command: { kind: 'invites', policy: undefined },
    });
    expect(parseLine('/invites friends')).toMatchObject({ ok: false });
    expect(parseLine('/block')).toMatchObject({ ok: false });
  });
});
