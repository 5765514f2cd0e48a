import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import { KvStore, type KvDatabase } from '../../src/storage/store.ts';

function codeOf(f: () => unknown): unknown {
  try {
    f();
  } catch (error) {
    return (error as { code?: unknown }).code;
  }
  return 'no error';
}

describe('KvStore', () => {
  it('refuses a database whose encodings would mangle bytes', () => {
    const text = new MemoryLevel<string, string>() as unknown as KvDatabase;
    expect(codeOf(() => new KvStore(text))).toBe('STORAGE_INVALID');
    const buffers = new MemoryLevel({ valueEncoding: 'buffer' }) as unknown as KvDatabase;
    expect(codeOf(() => new KvStore(buffers))).toBe('STORAGE_INVALID');
  });

  it('opens a database that is not yet open', async () => {
    const db = new MemoryLevel<string, Uint8Array>(KvStore.databaseOptions);
    const store = await KvStore.open(db);
    expect(store.isOpen).toBe(true);
    await store.put('k', Uint8Array.of(1));
    const raw = await db.get('k');
    expect(raw && [...raw]).toEqual([1]);
    await store.close();
  });

  it('refuses a negative or fractional limit', async () => {
    const store = await KvStore.open(new MemoryLevel<string, Uint8Array>(KvStore.databaseOptions));
    for (const limit of [-1, 1.5]) {
      await expect(store.keys({}, { limit }).next()).rejects.toMatchObject({
        code: 'STORAGE_INVALID',
      });
    }
    await store.close();
  });
});
