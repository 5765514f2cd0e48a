import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/crypto/bytes.ts';
import type { KithClient } from '../../src/client/kith-client.ts';
import { KvStore } from '../../src/storage/store.ts';
import { texts, World } from './world.ts';

type Db = MemoryLevel<string, Uint8Array>;

/** Whether `text` is in any value of the database (as its UTF-8 bytes). */
async function stores(db: Db, text: string): Promise<boolean> {
  const needle = toHex(new TextEncoder().encode(text));
  for await (const [, value] of db.iterator()) {
    if (toHex(value).includes(needle)) return true;
  }
  return false;
}

async function trio(seed: number) {
  const world = new World(seed);
  const dbs: Db[] = [];
  const clients: KithClient[] = [];
  for (const name of ['a', 'b', 'c']) {
    const db = new MemoryLevel<string, Uint8Array>(KvStore.databaseOptions);
    dbs.push(db);
    clients.push(await world.add(name, { db }));
  }
  const [a, b, c] = clients as [KithClient, KithClient, KithClient];
  const roomId = await a.createRoom();
  await world.invite(a, roomId, [b, c]);
  return { world, dbs, a, b, c, roomId };
}

describe('redaction and disappearing messages through the client', () => {
  it('a retracted message leaves every device’s store; the others stay', async () => {
    const { world, dbs, a, b, c, roomId } = await trio(71);
    const gone = await a.send(roomId, 'purge-me-please');
    await b.send(roomId, 'bob-keeps-this');
    await world.settle();
    for (const db of dbs) expect(await stores(db, 'purge-me-please')).toBe(true);
    await a.retract(roomId, gone);
    await world.settle();
    for (const [i, x] of [a, b, c].entries()) {
      expect(x.timeline(roomId).find((m) => toHex(m.messageId) === toHex(gone))?.retracted).toBe(
        true,
      );
      expect(await stores(must(dbs[i]), 'purge-me-please')).toBe(false);
      expect(await stores(must(dbs[i]), 'bob-keeps-this')).toBe(true);
    }
    // Reopened from the store, the message is still shown as retracted, and nothing more.
    const reopened = await world.restart(b);
    expect(texts(reopened, roomId)).toEqual(texts(a, roomId));
  });

  it('a message sent with expiresInMs vanishes from every device and store at the tick', async () => {
    const { world, dbs, a, b, c, roomId } = await trio(72);
    await a.send(roomId, 'stays');
    const m = await b.send(roomId, 'vanishing-ink', { expiresInMs: 30_000 });
    await world.settle();
    for (const x of [a, b, c]) expect(texts(x, roomId)).toContain('vanishing-ink');
    const removed: string[] = [];
    c.on('timeline', (e) => {
      for (const ch of e.changes) if (ch.type === 'removed') removed.push(toHex(ch.messageId));
    });
    await world.network.advance(31_000);
    await world.tickAll();
    expect(removed).toEqual([toHex(m)]);
    for (const [i, x] of [a, b, c].entries()) {
      expect(texts(x, roomId)).toEqual(['stays']);
      expect(await stores(must(dbs[i]), 'vanishing-ink')).toBe(false);
    }
    await expect(a.send(roomId, 'x', { expiresInMs: -1 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });

  it('a room-wide disappearing time holds for every message, and every member enforces it', async () => {
    const { world, dbs, a, b, c, roomId } = await trio(73);
    await a.send(roomId, 'before the timer');
    await a.setDisappearing(roomId, 60_000);
    await world.settle();
    expect(c.room(roomId).disappearAfterMs).toBe(60_000);
    // b writes with no expiry of its own; c asks for a longer one than the room allows.
    await b.send(roomId, 'timed-by-the-room');
    await c.send(roomId, 'wants-a-day', { expiresInMs: 86_400_000 });
    await world.settle();
    await world.network.advance(61_000);
    await world.tickAll();
    for (const [i, x] of [a, b, c].entries()) {
      expect(texts(x, roomId)).toEqual(['before the timer']);
      expect(await stores(must(dbs[i]), 'wants-a-day')).toBe(false);
    }
    // Members may not change it; the owner may lift it.
    await expect(b.setDisappearing(roomId, undefined)).rejects.toMatchObject({
      code: 'NOT_ALLOWED',
    });
    await expect(a.setDisappearing(roomId, 10)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await a.setDisappearing(roomId, undefined);
    await world.settle();
    await b.send(roomId, 'kept again');
    await world.settle();
    await world.network.advance(61_000);
    await world.tickAll();
    expect(texts(c, roomId)).toEqual(['before the timer', 'kept again']);
  });
});

function must<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('expected a value');
  return value;
}
