import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import { encodeCbor } from '../../src/cbor/encode.ts';
import { ClientError } from '../../src/client/errors.ts';
import { KithClient } from '../../src/client/kith-client.ts';
import { STORAGE_LAYOUT } from '../../src/client/storage-layout.ts';
import { KvStore } from '../../src/storage/store.ts';
import { createMemoryNetwork } from '../../src/testing/memory-transport.ts';

const network = createMemoryNetwork();
const open = (db: MemoryLevel<string, Uint8Array>): Promise<KithClient> =>
  KithClient.open({ storage: db, transport: (d) => network.endpoint(d.deviceId) });

async function refusal(db: MemoryLevel<string, Uint8Array>): Promise<ClientError> {
  const error = await open(db).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ClientError))
    throw new Error(`opened, or failed otherwise: ${String(error)}`);
  return error;
}

/** Rewrites one key of a closed memory-level database (its data outlives close). */
async function setKey(db: MemoryLevel<string, Uint8Array>, key: string, value?: Uint8Array) {
  await db.open();
  if (value === undefined) await db.del(key);
  else await db.put(key, value);
  await db.close();
}

describe('the storage layout of a device database', () => {
  it('is stamped on a new database, and the device reopens with it', async () => {
    const db = new MemoryLevel<string, Uint8Array>(KvStore.databaseOptions);
    const first = await open(db);
    const roomId = await first.createRoom({ name: 'kept' });
    await first.close();
    await db.open();
    expect([...((await db.get('meta/schema')) ?? [])]).toEqual([...encodeCbor(STORAGE_LAYOUT)]);
    await db.close();
    const again = await open(db);
    expect(again.room(roomId).name).toBe('kept');
    await again.close();
  });

  it('refuses an older layout with what to do, and changes nothing in it', async () => {
    const db = new MemoryLevel<string, Uint8Array>(KvStore.databaseOptions);
    await (await open(db)).close();
    // A database from before the stamp: an identity, no layout.
    await setKey(db, 'meta/schema');
    const error = await refusal(db);
    expect(error.code).toBe('STORAGE_LAYOUT');
    expect(error.message).toMatch(/older Kith \(storage layout 1.*move it aside/);
    await db.open();
    expect(await db.get('meta/schema')).toBeUndefined();
    await db.close();
  });

  it('opens a layout-2 database as it is and stamps it 3 (room states gained cuts)', async () => {
    const db = new MemoryLevel<string, Uint8Array>(KvStore.databaseOptions);
    const first = await open(db);
    const roomId = await first.createRoom({ name: 'kept' });
    await first.close();
    await setKey(db, 'meta/schema', encodeCbor(2));
    const again = await open(db);
    expect(again.room(roomId).name).toBe('kept');
    await again.close();
    await db.open();
    expect([...((await db.get('meta/schema')) ?? [])]).toEqual([...encodeCbor(3)]);
    await db.close();
  });

  it('refuses a newer layout, saying to run that version', async () => {
    const db = new MemoryLevel<string, Uint8Array>(KvStore.databaseOptions);
    await (await open(db)).close();
    await setKey(db, 'meta/schema', encodeCbor(STORAGE_LAYOUT + 1));
    const error = await refusal(db);
    expect(error.message).toMatch(/newer Kith.*run that version/);
  });
});
