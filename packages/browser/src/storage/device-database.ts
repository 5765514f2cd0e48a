import { BrowserLevel } from 'browser-level';
import { describeError } from '@kith/runtime';
import { KvStore } from '@kith/core';
import { BrowserError } from '../errors.ts';

/** The device's IndexedDB database, keyed and valued as the engine's store needs. */
export type BrowserDatabase = BrowserLevel<string, Uint8Array>;

/** The IndexedDB database name of a device: one per device name on an origin. */
export function databaseName(device: string): string {
  return `kith-device-${device}`;
}

/**
 * Opens (creating it if needed) a device's IndexedDB database. Only the tab holding the
 * device's lock (see `TabLock`) may call this: two tabs writing one device's state would fork
 * its chains and reuse its nonces.
 */
export async function openBrowserDatabase(device: string): Promise<BrowserDatabase> {
  const db = new BrowserLevel<string, Uint8Array>(databaseName(device), KvStore.databaseOptions);
  try {
    await db.open();
  } catch (cause) {
    throw new BrowserError(
      'STORAGE_UNUSABLE',
      `cannot open the device's IndexedDB database: ${describeError(cause)}`,
      { cause },
    );
  }
  return db;
}
