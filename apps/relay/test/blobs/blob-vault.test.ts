import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import { KvStore } from '@kith/core';
import { BlobVault, type BlobPolicy, type Upload } from '../../src/blobs/blob-vault.ts';
import { cipherBytes, testBlob, type TestBlob } from './blobs.ts';

const POLICY: BlobPolicy = {
  maxBlobBytes: 1024 * 1024,
  totalBytes: 4 * 1024 * 1024,
  roomQuotaBytes: 512 * 1024,
  writerQuotaBytes: 1024 * 1024,
  retentionMs: 1000,
};
const ROOM = 'aa'.repeat(32);
const OTHER_ROOM = 'bb'.repeat(32);

async function vault(policy: BlobPolicy = POLICY): Promise<BlobVault> {
  const v = new BlobVault(await KvStore.open(new MemoryLevel(KvStore.databaseOptions)), policy);
  await v.load();
  return v;
}

async function admitted(v: BlobVault, t: string, writer: string, blob: TestBlob, now = 0) {
  const a = await v.admit(t, writer, blob, now);
  if (a.kind !== 'upload') throw new Error(`refused: ${a.code} ${a.message}`);
  return a.upload;
}

async function send(v: BlobVault, upload: Upload, blob: TestBlob, t: string): Promise<boolean> {
  for (let i = upload.from; i < blob.records.length; i++) {
    await v.putRecord(upload, i, blob.records[i] ?? new Uint8Array());
  }
  return v.finish(upload, t);
}

describe('BlobVault', () => {
  it('stores a blob once its records hash to its name, and serves only complete blobs', async () => {
    const v = await vault();
    const blob = testBlob(100_000);
    const upload = await admitted(v, ROOM, 'ip4-1.2.3.4', blob);
    expect(upload.from).toBe(0);
    await v.putRecord(upload, 0, blob.records[0] ?? new Uint8Array());
    expect(await v.getRecord(blob.id, 0)).toBeUndefined();
    // Resumed: the relay says where to go on.
    expect((await admitted(v, ROOM, 'ip4-1.2.3.4', blob)).from).toBe(1);
    expect(await send(v, upload, blob, ROOM)).toBe(true);
    expect(await v.getRecord(blob.id, 6)).toEqual(blob.records[6]);
    expect(v.storedBytes).toBe(cipherBytes(blob));
  });

  it('refuses records that do not hash to the name, keeping nothing and charging nothing', async () => {
    const v = await vault();
    const blob = testBlob(50_000);
    const upload = await admitted(v, ROOM, 'w', blob);
    const bad = blob.records.map((r) => r.slice());
    const flipped = bad[1] ?? new Uint8Array(4);
    flipped[3] = (flipped[3] ?? 0) ^ 1;
    expect(await send(v, upload, { ...blob, records: bad }, ROOM)).toBe(false);
    expect(await v.getRecord(blob.id, 0)).toBeUndefined();
    expect(v.storedBytes).toBe(0);
    // The room's and the writer's quotas were given back: a full-quota upload still fits.
    const big = testBlob(POLICY.roomQuotaBytes - 64 * 1024);
    expect((await v.admit(ROOM, 'w', big, 0)).kind).toBe('upload');
  });

  it('keeps each writer’s upload apart: junk from one does not spoil another’s', async () => {
    const v = await vault();
    const blob = testBlob(40_000);
    const honest = await admitted(v, ROOM, 'ip4-1.1.1.1', blob);
    const spoiler = await admitted(v, ROOM, 'ip4-6.6.6.6', blob);
    expect(honest.storage).not.toBe(spoiler.storage);
    for (let i = 0; i < blob.records.length; i++) {
      await v.putRecord(spoiler, i, new Uint8Array(blob.records[i]?.length ?? 0));
    }
    expect(await send(v, honest, blob, ROOM)).toBe(true);
    // The junk is refused and dropped; the blob stays as the honest writer sent it.
    expect(await v.finish(spoiler, ROOM)).toBe(false);
    for (let i = 0; i < blob.records.length; i++) {
      expect(await v.getRecord(blob.id, i)).toEqual(blob.records[i]);
    }
  });

  it('stores a blob uploaded by two rooms once, charging each, until the last claim goes', async () => {
    const v = await vault();
    const blob = testBlob(30_000);
    await send(v, await admitted(v, ROOM, 'w1', blob), blob, ROOM);
    const again = await admitted(v, OTHER_ROOM, 'w2', blob);
    expect(again.from).toBe(blob.records.length);
    expect(v.storedBytes).toBe(cipherBytes(blob));
    expect(await v.delete(blob.id, ROOM)).toBe(true);
    expect(await v.getRecord(blob.id, 0)).toEqual(blob.records[0]);
    expect(await v.delete(blob.id, ROOM)).toBe(false);
    expect(await v.delete(blob.id, OTHER_ROOM)).toBe(true);
    expect(await v.getRecord(blob.id, 0)).toBeUndefined();
    expect(v.storedBytes).toBe(0);
  });

  it('refuses past the room’s quota whoever writes, past the writer’s, past the largest file and the total', async () => {
    const v = await vault();
    await admitted(v, ROOM, 'w1', testBlob(200_000));
    await admitted(v, ROOM, 'w2', testBlob(200_000));
    // A third writer (a new peer ID, a new address): the room epoch is full all the same.
    expect(await v.admit(ROOM, 'w3', testBlob(200_000), 0)).toMatchObject({
      kind: 'refused',
      code: 'QUOTA_EXCEEDED',
    });
    const roomy = await vault({ ...POLICY, roomQuotaBytes: 8 * 1024 * 1024 });
    await admitted(roomy, ROOM, 'w', testBlob(600_000));
    // The same writer under another room's key: its own quota is spent.
    expect(await roomy.admit(OTHER_ROOM, 'w', testBlob(600_000), 0)).toMatchObject({
      code: 'QUOTA_EXCEEDED',
    });
    expect(await v.admit('cc'.repeat(32), 'w9', testBlob(1024 * 1024 + 1), 0)).toMatchObject({
      code: 'TOO_LARGE',
    });
    const small = await vault({ ...POLICY, totalBytes: 100_000 });
    expect(await small.admit(ROOM, 'w', testBlob(120_000), 0)).toMatchObject({
      code: 'QUOTA_EXCEEDED',
    });
  });

  it('takes no upload under a closed epoch’s key; deletes still work there', async () => {
    const v = await vault();
    const blob = testBlob(10_000);
    await send(v, await admitted(v, ROOM, 'w', blob), blob, ROOM);
    await v.close(ROOM, 5);
    expect(await v.admit(ROOM, 'w', testBlob(10_000), 6)).toMatchObject({ code: 'CLOSED' });
    expect(await v.delete(blob.id, ROOM)).toBe(true);
  });

  it('drops blobs after the retention, freeing the room’s quota', async () => {
    const v = await vault();
    const blob = testBlob(400_000);
    await send(v, await admitted(v, ROOM, 'w', blob, 100), blob, ROOM);
    expect(await v.sweep(100 + POLICY.retentionMs - 1)).toBe(0);
    expect(await v.getRecord(blob.id, 0)).toEqual(blob.records[0]);
    expect(await v.sweep(100 + POLICY.retentionMs)).toBe(cipherBytes(blob));
    expect(await v.getRecord(blob.id, 0)).toBeUndefined();
    expect((await v.admit(ROOM, 'w', testBlob(400_000), 2000)).kind).toBe('upload');
  });
});
