import { describe, expect, it } from 'vitest';
import { ClientError } from '../../src/client/errors.ts';
import { texts, World } from './world.ts';

describe('the room decides how much history a newcomer gets', () => {
  it('under since-joined a newcomer gets only what was written while it was a member', async () => {
    const world = new World(81);
    const [a, b, c, d] = [
      await world.add('a'),
      await world.add('b'),
      await world.add('c'),
      await world.add('d'),
    ];
    const roomId = await a.createRoom({ name: 'r' });
    await world.invite(a, roomId, [b]);
    await a.send(roomId, 'shared with everyone later');
    await a.setHistorySharing(roomId, 'since-joined');
    // The policy of the epoch a message is written in decides: b writes once it has the change.
    await world.settle();
    await b.send(roomId, 'only for a and b');
    await world.settle();
    expect(a.room(roomId).history).toBe('since-joined');

    await world.invite(a, roomId, [c]);
    await world.tickAll();
    await c.send(roomId, 'c is here');
    await world.settle();
    // The message from the `all` era is shared; the one written under since-joined is not,
    // and c knows that something was withheld.
    expect(texts(c, roomId)).toEqual(['shared with everyone later', 'c is here']);
    expect(c.room(roomId).withheld).toBe(1);
    expect(texts(b, roomId)).toEqual([
      'shared with everyone later',
      'only for a and b',
      'c is here',
    ]);
    expect(b.room(roomId).withheld).toBe(0);

    // Opening history again applies from then on: what was written before stays withheld.
    await a.setHistorySharing(roomId, 'all');
    await a.send(roomId, 'open again');
    await world.settle();
    await world.invite(a, roomId, [d]);
    await world.tickAll();
    // "c is here" was written under since-joined too.
    expect(texts(d, roomId)).toEqual(['shared with everyone later', 'open again']);
    expect(d.room(roomId).withheld).toBe(2);
  });

  it('the content withheld never reaches the newcomer’s store, even after a restart', async () => {
    const world = new World(82);
    const [a, b] = [await world.add('a'), await world.add('b')];
    const roomId = await a.createRoom({ name: 'r' });
    await a.setHistorySharing(roomId, 'since-joined');
    await a.send(roomId, 'before b');
    await world.invite(a, roomId, [b]);
    await world.tickAll();
    const b2 = await world.restart(b);
    await world.tickAll();
    expect(texts(b2, roomId)).toEqual([]);
    expect(b2.room(roomId).withheld).toBe(1);
  });

  it('only admins and owners change it', async () => {
    const world = new World(83);
    const [a, b] = [await world.add('a'), await world.add('b')];
    const roomId = await a.createRoom({ name: 'r' });
    await world.invite(a, roomId, [b]);
    await a.setRole(roomId, b.userId, 'moderator');
    await world.settle();
    const refused = await b.setHistorySharing(roomId, 'since-joined').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ClientError);
    expect((refused as ClientError).code).toBe('NOT_ALLOWED');
    expect(a.room(roomId).history).toBe('all');
  });
});
