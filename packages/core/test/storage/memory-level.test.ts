import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import { KvStore } from '../../src/storage/store.ts';
import { runStorageTests } from '../../src/storage/storage-port-tests.ts';

let db: MemoryLevel<string, Uint8Array> | undefined;

// memory-level keeps its data when closed, so reopening the same instance is a reopen.
runStorageTests(
  { describe, it, expect },
  {
    name: 'memory-level',
    open: () => {
      db = new MemoryLevel<string, Uint8Array>(KvStore.databaseOptions);
      return Promise.resolve(db);
    },
    reopen: async () => {
      if (db === undefined) throw new Error('nothing to reopen');
      await db.open();
      return db;
    },
  },
);

// The same contract with memory-level storing Uint8Arrays natively (what a browser bundle would use).
runStorageTests(
  { describe, it, expect },
  {
    name: "memory-level, storeEncoding 'view'",
    open: () =>
      Promise.resolve(
        new MemoryLevel<string, Uint8Array>({ ...KvStore.databaseOptions, storeEncoding: 'view' }),
      ),
  },
);
