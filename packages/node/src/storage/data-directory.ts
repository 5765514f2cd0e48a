import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { KvStore } from '@kith/core';
import { describeError, DeviceError } from '@kith/runtime';

/** The device's LevelDB database, keyed and valued as the engine's store needs. */
export type DeviceDatabase = ClassicLevel<string, Uint8Array>;

/**
 * Opens (creating it if needed) the LevelDB database in a device's data directory. LevelDB's
 * own lock file makes a second process on the same directory fail, which is reported as such:
 * two processes writing one device's state would fork its chains and reuse its nonces.
 */
export async function openDeviceDatabase(dataDir: string): Promise<DeviceDatabase> {
  try {
    // Only the user may read a device's keys.
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
  } catch (cause) {
    throw new DeviceError(
      'DATA_DIR_UNUSABLE',
      `cannot create the data directory ${dataDir}: ${describeError(cause)}; choose another with --data-dir`,
      { cause },
    );
  }
  const db = new ClassicLevel<string, Uint8Array>(join(dataDir, 'db'), KvStore.databaseOptions);
  try {
    await db.open();
  } catch (cause) {
    if (isDatabaseLocked(cause)) {
      throw new DeviceError(
        'DATA_DIR_IN_USE',
        `another Kith process is using ${dataDir}: stop it first, or give this one another --data-dir`,
        { cause },
      );
    }
    throw new DeviceError(
      'DATA_DIR_UNUSABLE',
      `cannot open the database in ${dataDir}: ${describeError(cause)}`,
      { cause },
    );
  }
  return db;
}

/** Whether a failed `open()` of a LevelDB database means another process holds its lock. */
export function isDatabaseLocked(error: unknown): boolean {
  const cause = error instanceof Error ? error.cause : undefined;
  return (
    typeof cause === 'object' && cause !== null && 'code' in cause && cause.code === 'LEVEL_LOCKED'
  );
}
