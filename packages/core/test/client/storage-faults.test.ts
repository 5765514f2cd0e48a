import { describe, expect, it } from 'vitest';
import type { KithClient } from '../../src/client/kith-client.ts';
import { FaultyDb } from './faulty-db.ts';
import { texts, World } from './world.ts';

describe('storage failures', () => {
  it('a full disk: the send fails clearly, nothing leaves the device, and reopening recovers', async () => {
    const world = new World(81);
    const errors: unknown[] = [];
    const db = new FaultyDb();
    const a = await world.add('a');
    const b = await world.add('b', { db, onError: (e) => errors.push(e) });
    const roomId = await a.createRoom();
    await world.invite(a, roomId, [b]);
    await b.send(roomId, 'stored');
    await world.settle();

    db.full = true;
    await expect(b.send(roomId, 'no room on disk')).rejects.toMatchObject({
      name: 'StorageError',
      code: 'STORAGE_FULL',
    });
    await expect(b.send(roomId, 'still full')).rejects.toMatchObject({ code: 'STORAGE_FAILED' });
    await world.settle();
    expect(texts(a, roomId)).toEqual(['stored']);

    db.full = false;
    const b2 = await world.restart(b, db);
    expect(texts(b2, roomId)).toEqual(['stored']);
    await b2.send(roomId, 'after freeing space');
    await world.settle();
    expect(texts(a, roomId)).toEqual(['stored', 'after freeing space']);
    expect(texts(b2, roomId)).toEqual(texts(a, roomId));
  });

  // A process killed between any two writes: what it stored must open, and nothing it reported
  // as sent may be lost once it is back.
  for (let crashAt = 0; crashAt < 20; crashAt++) {
    it(`killed after ${crashAt} writes of a busy moment, it reopens and loses nothing it sent`, async () => {
      const world = new World(900 + crashAt);
      const db = new FaultyDb();
      const a = await world.add('a');
      const b = await world.add('b', { db, onError: () => undefined });
      const roomId = await a.createRoom();
      await world.invite(a, roomId, [b]);
      await a.send(roomId, 'before');
      await world.settle();

      db.crashAfter(crashAt);
      const sent: string[] = [];
      for (let i = 0; i < 6; i++) {
        const ok = await b.send(roomId, `b${i}`).then(
          () => true,
          () => false,
        );
        if (ok) sent.push(`b${i}`);
        await a.send(roomId, `a${i}`);
        await world.network.advance(5);
      }
      await world.settle();

      const b2: KithClient = await world.restart(b, db.inner);
      for (let i = 0; i < 3; i++) await world.tickAll();
      const atA = texts(a, roomId);
      for (const text of sent) expect(atA).toContain(text);
      expect(texts(b2, roomId)).toEqual(atA);
      await b2.send(roomId, 'back');
      await world.settle();
      expect(texts(a, roomId).at(-1)).toBe('back');
    });
  }

  it('killed after opening messages whose ratchet steps were not stored yet, it reads on', async () => {
    const world = new World(95);
    const db = new FaultyDb();
    const a = await world.add('a');
    const b = await world.add('b', { db, onError: () => undefined });
    const roomId = await a.createRoom();
    await world.invite(a, roomId, [b]);
    const sent: string[] = [];
    for (let i = 0; i < 10; i++) {
      sent.push(`m${i}`);
      await a.send(roomId, `m${i}`);
    }
    await world.settle();
    expect(texts(b, roomId)).toEqual(sent);
    // The kill: nothing more reaches the disk, not even the save on close.
    db.crashAfter(0);
    const b2 = await world.restart(b, db.inner);
    expect(texts(b2, roomId)).toEqual(sent);
    await a.send(roomId, 'after the crash');
    await world.settle();
    await world.tickAll();
    expect(texts(b2, roomId)).toEqual([...sent, 'after the crash']);
  });
});
