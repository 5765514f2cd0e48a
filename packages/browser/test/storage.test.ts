import { describe, expect, it } from 'vitest';
import { BrowserLevel } from 'browser-level';
import { KvStore, type KvDatabase } from '@kith/core';
import { runStorageTests } from '@kith/core/testing';

let current: { name: string; db: BrowserLevel<string, Uint8Array> } | undefined;
let counter = 0;

runStorageTests(
  { describe, it, expect },
  {
    name: 'browser-level (IndexedDB) in Chromium',
    open(): Promise<KvDatabase> {
      const name = `kith-storage-test-${String(Date.now())}-${String(counter++)}`;
      const db = new BrowserLevel<string, Uint8Array>(name, KvStore.databaseOptions);
      current = { name, db };
      return Promise.resolve(db);
    },
    reopen(): Promise<KvDatabase> {
      if (current === undefined) throw new Error('nothing to reopen');
      const db = new BrowserLevel<string, Uint8Array>(current.name, KvStore.databaseOptions);
      current = { name: current.name, db };
      return Promise.resolve(db);
    },
    async cleanup(): Promise<void> {
      if (current === undefined) return;
      const { name, db } = current;
      current = undefined;
      await db.close();
      await new Promise<void>((resolve, reject) => {
        const request = indexedDB.deleteDatabase(`level-js-${name}`);
        request.onsuccess = () => {
          resolve();
        };
        request.onerror = () => {
          reject(request.error ?? new Error('deleteDatabase failed'));
        };
      });
    },
  },
);
