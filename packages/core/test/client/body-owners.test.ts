import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import { decodeCbor } from '../../src/cbor/decode.ts';
import { encodeCbor } from '../../src/cbor/encode.ts';
import { STORAGE_LAYOUT } from '../../src/client/storage-layout.ts';
import { KvStore } from '../../src/storage/store.ts';
import { texts, World } from './world.ts';

type Db = MemoryLevel<string, Uint8Array>;

const OWNED = /^(room\/[0-9a-f]+\/body\/[0-9a-f]{64})\/owned$/;
const BARE = /^room\/[0-9a-f]+\/body\/[0-9a-f]{64}$/;

/** Every key and value of a closed memory-level database. */
async function dump(db: Db): Promise<Map<string, Uint8Array>> {
  await db.open();
  const out = new Map<string, Uint8Array>();
  for await (const [key, value] of db.iterator()) out.set(key, value);
  await db.close();
  return out;
}

/** Rewrites a closed database as layout 3 stored it: bodies bare, without their owner. */
async function asLayout3(db: Db): Promise<number> {
  let rewritten = 0;
  const all = await dump(db);
  await db.open();
  for (const [key, value] of all) {
    const bare = OWNED.exec(key)?.[1];
    if (bare === undefined) continue;
    const [, , body] = decodeCbor(value) as [number, string, Uint8Array];
    await db.del(key);
    await db.put(bare, body);
    rewritten++;
  }
  await db.put('meta/schema', encodeCbor(3));
  await db.close();
  return rewritten;
}

/** A room where `b` (on `db`) holds messages from `a` and itself; `b` closed. */
async function roomOnDisk(seed: number) {
  const world = new World(seed);
  const db: Db = new MemoryLevel<string, Uint8Array>(KvStore.databaseOptions);
  const [a, b] = [await world.add('a'), await world.add('b', { db })];
  const roomId = await a.createRoom({ name: 'kept' });
  await world.invite(a, roomId, [b]);
  for (const text of ['one', 'two', 'three']) await a.send(roomId, text);
  await b.send(roomId, 'four');
  await world.settle();
  const before = texts(b, roomId);
  await b.close();
  return { world, db, roomId, before };
}

describe('message bodies at rest', () => {
  it('are stored with their owner, so reopening hashes none of them again', async () => {
    const { world, db, roomId, before } = await roomOnDisk(71);
    const keys = [...(await dump(db)).keys()];
    expect(keys.filter((k) => OWNED.test(k))).toHaveLength(4);
    expect(keys.filter((k) => BARE.test(k))).toEqual([]);
    const b2 = await world.add('b', { db });
    expect(texts(b2, roomId)).toEqual(before);
    await b2.close();
  });

  it('written by layout 3 (bare) are still read, then stored again with their owner', async () => {
    const { world, db, roomId, before } = await roomOnDisk(72);
    expect(await asLayout3(db)).toBe(4);
    const b2 = await world.add('b', { db });
    expect(texts(b2, roomId)).toEqual(before);
    await b2.close();
    const after = await dump(db);
    expect([...after.keys()].filter((k) => BARE.test(k))).toEqual([]);
    expect([...after.keys()].filter((k) => OWNED.test(k))).toHaveLength(4);
    expect([...(after.get('meta/schema') ?? [])]).toEqual([...encodeCbor(STORAGE_LAYOUT)]);
    // And read from the new layout once more.
    const b3 = await world.add('b', { db });
    expect(texts(b3, roomId)).toEqual(before);
    await b3.close();
  });

  it('stored bare are still checked: a body under another message ID is not shown', async () => {
    const { world, db, roomId, before } = await roomOnDisk(73);
    await asLayout3(db);
    // Someone with the disk swaps two bare bodies: each now sits under the other's ID.
    const all = await dump(db);
    const bare = [...all].filter(([k]) => BARE.test(k));
    const [x, y] = bare;
    if (x === undefined || y === undefined) throw new Error('two bodies');
    await db.open();
    await db.put(x[0], y[1]);
    await db.put(y[0], x[1]);
    await db.close();
    const b2 = await world.add('b', { db });
    const shown = texts(b2, roomId);
    // The two messages show no content rather than each other's (or anyone's) text.
    expect(shown).toHaveLength(before.length - 2);
    for (const t of shown) expect(before).toContain(t);
    await b2.close();
  });
});
