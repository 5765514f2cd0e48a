import { bytesEqual } from '../crypto/bytes.ts';
import type { TestApi } from '../testing/test-api.ts';
import type { StorageErrorCode } from './errors.ts';
import { joinKey, seqKey } from './keys.ts';
import { KvStore, type KvDatabase, type KvOperation } from './store.ts';

/** How a runtime hands its abstract-level backend to the shared storage suite. */
export interface StorageSetup {
  /** Names the suite in the test report. */
  readonly name: string;
  /** A new, empty database constructed with `KvStore.databaseOptions` (opened or not). */
  open(): Promise<KvDatabase>;
  /** The database last returned, after it was closed, opened again on the same data. */
  reopen?(): Promise<KvDatabase>;
  /** Runs after every test (for instance, removes the directory). */
  cleanup?(): Promise<void>;
  /** Per-test timeout for slow backends. */
  readonly timeoutMs?: number;
}

interface Context {
  store: KvStore;
  /** Closes the store and opens it again on the same data (only when the setup can). */
  reopen(): Promise<KvStore>;
}

/**
 * The storage port's contract, as a test suite any backend runs (like automerge-repo's
 * `runStorageAdapterTests`): `runStorageTests({ describe, it, expect }, setup)` in a vitest
 * file. Everything goes through `KvStore`, so it checks the backend and the façade together.
 */
export function runStorageTests(t: TestApi, setup: StorageSetup): void {
  const { describe, expect } = t;
  const it = (name: string, body: (c: Context) => Promise<void>): void => {
    t.it(name, () => withStore(setup, body), setup.timeoutMs);
  };

  async function expectError(promise: Promise<unknown>, code: StorageErrorCode): Promise<void> {
    const outcome = await promise.then(
      () => 'resolved',
      (error: unknown) => error,
    );
    expect(outcome).toMatchObject({ name: 'StorageError', code });
  }

  async function all<T>(iterable: AsyncIterable<T>): Promise<T[]> {
    const out: T[] = [];
    for await (const item of iterable) out.push(item);
    return out;
  }

  describe(`storage port: ${setup.name}`, () => {
    it('round-trips binary values exactly', async ({ store }) => {
      const values: Record<string, Uint8Array> = {
        empty: new Uint8Array(0),
        one: Uint8Array.of(0),
        bytes: Uint8Array.from({ length: 256 }, (_, i) => i),
        mib: Uint8Array.from({ length: 1 << 20 }, (_, i) => (i * 31 + 7) & 255),
        // A view into a larger buffer: only the viewed bytes are stored.
        view: Uint8Array.of(9, 9, 1, 2, 3, 9).subarray(2, 5),
      };
      for (const [name, value] of Object.entries(values)) await store.put(name, value);
      for (const [name, value] of Object.entries(values)) {
        const back = await store.get(name);
        expect(back?.length, name).toBe(value.length);
        expect(back !== undefined && bytesEqual(back, value), name).toBe(true);
        expect(back !== undefined && Object.getPrototypeOf(back) === Uint8Array.prototype).toBe(
          true,
        );
      }
      expect(await store.get('absent')).toBeUndefined();
    });

    it('iterates keys in lexicographic order over ranges and prefixes', async ({ store }) => {
      const numbers = [0, 1, 2, 9, 10, 15, 16, 255, 256, 65535, 2 ** 40, 2 ** 53 - 1];
      const shuffled = [...numbers].reverse();
      for (const n of shuffled) await store.put(joinKey('seq', n), Uint8Array.of(n & 255));
      await store.put(joinKey('seq', 2n ** 64n - 1n), Uint8Array.of(1));
      await store.put('seqx', Uint8Array.of(2)); // shares the text "seq" but not the prefix "seq/"
      await store.put('a', Uint8Array.of(3));
      const expected = [...numbers.map((n) => joinKey('seq', n)), joinKey('seq', 2n ** 64n - 1n)];

      const entries = await all(store.entries({ prefix: 'seq/' }));
      expect(entries.map(([k]) => k)).toEqual(expected);
      expect(entries[3]?.[1]).toEqual(Uint8Array.of(9));
      expect(await all(store.keys({ prefix: 'seq/' }))).toEqual(expected);
      expect(await all(store.keys({ prefix: 'seq/' }, { reverse: true }))).toEqual(
        [...expected].reverse(),
      );
      expect(await all(store.keys({ prefix: 'seq/' }, { limit: 3 }))).toEqual(expected.slice(0, 3));
      expect(await all(store.keys({ prefix: 'seq/' }, { limit: 2, reverse: true }))).toEqual(
        expected.slice(-2).reverse(),
      );
      expect(await all(store.keys({ prefix: 'seq/' }, { limit: 0 }))).toEqual([]);
      const gte = joinKey('seq', 10);
      const lt = joinKey('seq', 256);
      expect(await all(store.keys({ gte, lt }))).toEqual(expected.slice(4, 8));
      expect(await all(store.keys({ gt: gte, lte: lt }))).toEqual(expected.slice(5, 9));
      expect(await all(store.keys({ lt: 'seq' }))).toEqual(['a']);
      expect(await all(store.keys({ gte: 'seqx' }))).toEqual(['seqx']);
      expect(await all(store.keys({}))).toEqual(['a', ...expected, 'seqx']);
      expect(await all(store.keys({ prefix: 'zzz/' }))).toEqual([]);
    });

    it('stops reading when the consumer breaks out early', async ({ store }) => {
      for (let i = 0; i < 10; i++) await store.put(joinKey('k', i), Uint8Array.of(i));
      const seen: string[] = [];
      for await (const [key] of store.entries({ prefix: 'k/' })) {
        seen.push(key);
        if (seen.length === 2) break;
      }
      expect(seen).toEqual([joinKey('k', 0), joinKey('k', 1)]);
      expect(await all(store.keys({ prefix: 'k/' }))).toHaveLength(10);
    });

    it('applies a batch in order and atomically', async ({ store }) => {
      await store.put('gone', Uint8Array.of(1));
      await store.batch([
        { type: 'put', key: 'x', value: Uint8Array.of(1) },
        { type: 'del', key: 'x' },
        { type: 'del', key: 'y' },
        { type: 'put', key: 'y', value: Uint8Array.of(2) },
        { type: 'del', key: 'gone' },
      ]);
      expect(await store.getMany(['x', 'y', 'gone'])).toEqual([
        undefined,
        Uint8Array.of(2),
        undefined,
      ]);
      await store.batch([]);
    });

    it('writes nothing of a batch holding an invalid operation', async ({ store }) => {
      await store.put('keep', Uint8Array.of(7));
      const good: KvOperation[] = [
        { type: 'put', key: 'a', value: Uint8Array.of(1) },
        { type: 'del', key: 'keep' },
      ];
      const invalid: unknown[] = [
        { type: 'put', key: 'b', value: 'text, not bytes' },
        { type: 'put', key: 'b', value: undefined },
        { type: 'put', key: undefined, value: Uint8Array.of(1) },
        { type: 'del', key: 42 },
        { type: 'put', key: '', value: Uint8Array.of(1) },
        { type: 'merge', key: 'b', value: Uint8Array.of(1) },
        null,
      ];
      for (const bad of invalid) {
        await expectError(store.batch([...good, bad] as KvOperation[]), 'STORAGE_INVALID');
        expect(await store.getMany(['a', 'b', 'keep'])).toEqual([
          undefined,
          undefined,
          Uint8Array.of(7),
        ]);
      }
      await expectError(store.put('b', 'text' as unknown as Uint8Array), 'STORAGE_INVALID');
      expect(await store.get('b')).toBeUndefined();
    });

    it('overwrites and deletes', async ({ store }) => {
      await store.put('k', Uint8Array.of(1, 2, 3));
      await store.put('k', Uint8Array.of(4));
      expect(await store.get('k')).toEqual(Uint8Array.of(4));
      await store.del('k');
      expect(await store.get('k')).toBeUndefined();
      await store.del('k'); // deleting a missing key is not an error
      expect(await all(store.keys({}))).toEqual([]);
    });

    it('reads many keys, absent ones as undefined', async ({ store }) => {
      await store.put('a', Uint8Array.of(1));
      await store.put('c', Uint8Array.of(3));
      expect(await store.getMany(['c', 'b', 'a', 'c'])).toEqual([
        Uint8Array.of(3),
        undefined,
        Uint8Array.of(1),
        Uint8Array.of(3),
      ]);
      expect(await store.getMany([])).toEqual([]);
    });

    it('lands every one of many concurrent puts', async ({ store }) => {
      const n = 500;
      await Promise.all(
        Array.from({ length: n }, (_, i) =>
          store.put(joinKey('c', i), Uint8Array.of(i & 255, i >> 8)),
        ),
      );
      const entries = await all(store.entries({ prefix: 'c/' }));
      expect(entries).toHaveLength(n);
      entries.forEach(([key, value], i) => {
        expect(key).toBe(joinKey('c', i));
        expect(value).toEqual(Uint8Array.of(i & 255, i >> 8));
      });
    });

    it('clears exactly one prefix', async ({ store }) => {
      const keys = ['a', 'a/1', 'a/b/2', 'a0', 'ab/3', 'b/4', '`'];
      for (const key of keys) await store.put(key, Uint8Array.of(1));
      await store.clearPrefix('a/');
      expect(await all(store.keys({}))).toEqual(['`', 'a', 'a0', 'ab/3', 'b/4']);
      await store.clearPrefix('none/');
      await expectError(store.clearPrefix(''), 'STORAGE_INVALID');
      expect(await all(store.keys({}))).toHaveLength(5);
    });

    if (setup.reopen !== undefined) {
      it('keeps its data across close and reopen', async (context) => {
        await context.store.put(joinKey('r', 1), Uint8Array.of(1));
        await context.store.batch([
          { type: 'put', key: joinKey('r', 2), value: new Uint8Array(1000).fill(2) },
          { type: 'put', key: joinKey('r', 0), value: new Uint8Array(0) },
        ]);
        await context.store.put('gone', Uint8Array.of(9));
        await context.store.del('gone');
        const store = await context.reopen();
        expect(await all(store.entries({ prefix: 'r/' }))).toEqual([
          [joinKey('r', 0), new Uint8Array(0)],
          [joinKey('r', 1), Uint8Array.of(1)],
          [joinKey('r', 2), new Uint8Array(1000).fill(2)],
        ]);
        expect(await store.get('gone')).toBeUndefined();
      });
    }

    it('fails with STORAGE_CLOSED after close', async ({ store }) => {
      await store.put('k', Uint8Array.of(1));
      await store.close();
      expect(store.isOpen).toBe(false);
      await expectError(store.get('k'), 'STORAGE_CLOSED');
      await expectError(store.getMany(['k']), 'STORAGE_CLOSED');
      await expectError(store.put('k', Uint8Array.of(2)), 'STORAGE_CLOSED');
      await expectError(store.del('k'), 'STORAGE_CLOSED');
      await expectError(store.batch([{ type: 'del', key: 'k' }]), 'STORAGE_CLOSED');
      await expectError(store.entries({ prefix: 'k' }).next(), 'STORAGE_CLOSED');
      await expectError(store.keys({}).next(), 'STORAGE_CLOSED');
      await expectError(store.clearPrefix('k'), 'STORAGE_CLOSED');
      await store.close(); // closing twice is harmless
    });

    it('fails with STORAGE_CLOSED when closed during iteration', async ({ store }) => {
      for (let i = 0; i < 3; i++) await store.put(seqKey(i), Uint8Array.of(i));
      const iterator = store.keys({});
      expect((await iterator.next()).value).toBe(seqKey(0));
      await store.close();
      await expectError(iterator.next(), 'STORAGE_CLOSED');
    });
  });
}

async function withStore(setup: StorageSetup, body: (c: Context) => Promise<void>): Promise<void> {
  const context: Context = {
    store: await KvStore.open(await setup.open()),
    async reopen() {
      if (setup.reopen === undefined) throw new Error('this setup cannot reopen');
      await context.store.close();
      context.store = await KvStore.open(await setup.reopen());
      return context.store;
    },
  };
  try {
    await body(context);
  } finally {
    await context.store.close();
    await setup.cleanup?.();
  }
}
