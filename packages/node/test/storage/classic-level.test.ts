import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runStorageTests } from '@kith/core/testing';
import { openDeviceDatabase, type DeviceDatabase } from '../../src/storage/data-directory.ts';

let dir: string | undefined;
let db: DeviceDatabase | undefined;

runStorageTests(
  { describe, it, expect },
  {
    name: 'classic-level (LevelDB files)',
    async open() {
      dir = await mkdtemp(join(tmpdir(), 'kith-level-'));
      db = await openDeviceDatabase(dir);
      return db;
    },
    async reopen() {
      if (dir === undefined) throw new Error('nothing to reopen');
      db = await openDeviceDatabase(dir);
      return db;
    },
    async cleanup() {
      await db?.close();
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
      dir = undefined;
    },
  },
);

describe('the data directory', () => {
  it('refuses a second opener with DATA_DIR_IN_USE and a way out', async () => {
    const path = await mkdtemp(join(tmpdir(), 'kith-lock-'));
    const first = await openDeviceDatabase(path);
    try {
      await expect(openDeviceDatabase(path)).rejects.toMatchObject({
        name: 'DeviceError',
        code: 'DATA_DIR_IN_USE',
        message: expect.stringContaining('--data-dir') as unknown,
      });
    } finally {
      await first.close();
    }
    // Once the first closes, the directory opens again.
    const again = await openDeviceDatabase(path);
    await again.close();
    await rm(path, { recursive: true, force: true });
  });

  it('reports a directory that cannot be created as DATA_DIR_UNUSABLE', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'kith-file-'));
    const file = join(parent, 'a-file');
    await writeFile(file, 'not a directory');
    await expect(openDeviceDatabase(join(file, 'data'))).rejects.toMatchObject({
      code: 'DATA_DIR_UNUSABLE',
    });
    await rm(parent, { recursive: true, force: true });
  });
});
