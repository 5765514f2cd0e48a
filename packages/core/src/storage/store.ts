import { StorageError, toStorageError } from './errors.ts';
import { prefixRange } from './keys.ts';

/**
 * The part of abstract-level's `AbstractLevel` that the store uses, typed structurally: every
 * abstract-level 3 database (classic-level, browser-level, memory-level) fits, whatever its
 * internal storage format (which `AbstractLevel<TFormat, K, V>` types invariantly, so no one
 * nominal type covers them all). Construct it with `KvStore.databaseOptions`.
 */
export interface KvDatabase {
  readonly status: 'opening' | 'open' | 'closing' | 'closed';
  /** Opens the database (abstract-level's `open`). */
  open(): Promise<void>;
  /** Closes the database; later calls fail. */
  close(): Promise<void>;
  /** The value under `key`, or undefined. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** The values under `keys`, in order, undefined where missing. */
  getMany(keys: string[]): Promise<(Uint8Array | undefined)[]>;
  /** Stores `value` under `key`. */
  put(key: string, value: Uint8Array): Promise<void>;
  /** Deletes `key` (no error when it is missing). */
  del(key: string): Promise<void>;
  /** Applies every operation or none. */
  batch(operations: KvOperation[]): Promise<void>;
  /** Entries of a key range, in key order (reversed with `reverse`). */
  iterator(options: LevelRangeOptions): LevelIterator<[string, Uint8Array]>;
  /** Keys of a key range, in key order. */
  keys(options: LevelRangeOptions): LevelIterator<string>;
  /** Deletes every key of a range. */
  clear(options: LevelRangeOptions): Promise<void>;
  /** The key encoding the database was opened with ('utf8' for Kith). */
  keyEncoding(): { readonly commonName: string };
  /** The value encoding the database was opened with ('view' for Kith: bytes as they are). */
  valueEncoding(): { readonly commonName: string };
  /** classic-level only: rewrites the files holding a key range, dropping deleted values. */
  compactRange?(start: string, end: string): Promise<void>;
}

/** abstract-level's range options (`RangeOptions<string>`). */
interface LevelRangeOptions {
  gt?: string;
  gte?: string;
  lt?: string;
  lte?: string;
  reverse?: boolean;
  limit?: number;
}

interface LevelIterator<T> {
  next(): Promise<T | undefined>;
  close(): Promise<void>;
}

/** One write of an atomic batch. */
export type KvOperation =
  | { readonly type: 'put'; readonly key: string; readonly value: Uint8Array }
  | { readonly type: 'del'; readonly key: string };

/** Which keys to read: those under a prefix, or a range (bounds omitted are open). */
export type KvRange =
  | { readonly prefix: string }
  | { readonly gte?: string; readonly gt?: string; readonly lt?: string; readonly lte?: string };

/** How a range is read: how many entries, in which direction. */
export interface KvReadOptions {
  /** At most this many entries. */
  readonly limit?: number;
  /** Largest key first. */
  readonly reverse?: boolean;
}

type RangeKey = 'gte' | 'gt' | 'lt' | 'lte';
const RANGE_KEYS: readonly RangeKey[] = ['gte', 'gt', 'lt', 'lte'];

/**
 * The engine's view of its database: string keys (built with `keys.ts`), byte values, atomic
 * batches, ordered range reads, and one error type (`StorageError`) whatever the backend.
 *
 * Values are not copied: a byte array handed to `put` or returned by `get` must not be mutated
 * afterwards (memory-level keeps the very array it was given). Values read back are plain
 * `Uint8Array`s even where the backend returns Node Buffers.
 */
export class KvStore {
  /** The options to construct the database with: `new ClassicLevel(path, KvStore.databaseOptions)`. */
  static readonly databaseOptions = { keyEncoding: 'utf8', valueEncoding: 'view' } as const;

  readonly #db: KvDatabase;

  /** Wraps a database that is open or opening. Prefer `KvStore.open`. */
  constructor(db: KvDatabase) {
    // With the default 'utf8' value encoding, bytes would be silently mangled into text.
    const keys = db.keyEncoding().commonName;
    const values = db.valueEncoding().commonName;
    if (keys !== 'utf8' || values !== 'view') {
      throw new StorageError(
        'STORAGE_INVALID',
        `the database must use keyEncoding 'utf8' and valueEncoding 'view', not '${keys}' and '${values}'`,
      );
    }
    this.#db = db;
  }

  /** Opens the database (a no-op if it is open) and wraps it. */
  static async open(db: KvDatabase): Promise<KvStore> {
    const store = new KvStore(db);
    try {
      await db.open();
    } catch (error) {
      throw toStorageError(error, 'open');
    }
    return store;
  }

  /** Whether the database is open (false while opening, closing or closed). */
  get isOpen(): boolean {
    return this.#db.status === 'open';
  }

  /** The value under `key`, or undefined; a StorageError when the database fails. */
  async get(key: string): Promise<Uint8Array | undefined> {
    checkKey(key);
    try {
      return plain(await this.#db.get(key));
    } catch (error) {
      throw toStorageError(error, `get ${key}`);
    }
  }

  /** Values in the order of `keys`, `undefined` where a key is absent. */
  async getMany(keys: readonly string[]): Promise<(Uint8Array | undefined)[]> {
    keys.forEach(checkKey);
    try {
      return (await this.#db.getMany([...keys])).map(plain);
    } catch (error) {
      throw toStorageError(error, `getMany (${keys.length} keys)`);
    }
  }

  /** Stores `value` under `key` (the array is kept as is: do not change it afterwards). */
  async put(key: string, value: Uint8Array): Promise<void> {
    checkKey(key);
    checkValue(key, value);
    try {
      await this.#db.put(key, value);
    } catch (error) {
      throw toStorageError(error, `put ${key}`);
    }
  }

  /** Deletes `key` (no error when it is missing). */
  async del(key: string): Promise<void> {
    checkKey(key);
    try {
      await this.#db.del(key);
    } catch (error) {
      throw toStorageError(error, `del ${key}`);
    }
  }

  /**
   * Writes every operation or none (the backends commit a batch atomically: a LevelDB write
   * batch, one IndexedDB transaction). The engine relies on this for crash safety. Every
   * operation is checked before anything is written.
   */
  async batch(operations: readonly KvOperation[]): Promise<void> {
    const ops: KvOperation[] = [];
    for (const op of operations as readonly unknown[]) ops.push(checkOperation(op));
    if (ops.length === 0) return;
    try {
      await this.#db.batch(ops);
    } catch (error) {
      throw toStorageError(error, `batch (${ops.length} operations)`);
    }
  }

  /** Entries in key order (or reverse), read lazily; stop early with `break`. */
  async *entries(
    range: KvRange,
    options: KvReadOptions = {},
  ): AsyncGenerator<[string, Uint8Array], void, undefined> {
    const iterator = this.#open(() => this.#db.iterator(levelOptions(range, options)));
    try {
      for (;;) {
        const entry = await this.#next(() => iterator.next());
        if (entry === undefined) return;
        yield [entry[0], plain(entry[1])];
      }
    } finally {
      await iterator.close().catch(ignore);
    }
  }

  /** Keys in key order (or reverse), read lazily. */
  async *keys(
    range: KvRange,
    options: KvReadOptions = {},
  ): AsyncGenerator<string, void, undefined> {
    const iterator = this.#open(() => this.#db.keys(levelOptions(range, options)));
    try {
      for (;;) {
        const key = await this.#next(() => iterator.next());
        if (key === undefined) return;
        yield key;
      }
    } finally {
      await iterator.close().catch(ignore);
    }
  }

  /** Deletes every key that starts with `prefix` (not atomically on every backend). */
  async clearPrefix(prefix: string): Promise<void> {
    if (prefix === '') {
      throw new StorageError('STORAGE_INVALID', 'clearPrefix needs a non-empty prefix');
    }
    const range = prefixRange(prefix);
    try {
      await this.#db.clear(range);
    } catch (error) {
      throw toStorageError(error, `clearPrefix ${prefix}`);
    }
  }

  /**
   * Makes deleted values under `prefix` leave the database files (LevelDB keeps them in its log
   * and table files until a compaction): for purged message bodies. A no-op on backends that
   * do not compact (memory-level; IndexedDB manages its own files).
   *
   * LevelDB keeps a deleted value that an open iterator could still see, and a later manual
   * compaction skips the deepest level holding it; deleting the range's two edge keys first
   * makes a new file that spans the whole range, so the compaction rewrites every file there.
   * A value an iterator pinned goes at the next call, once the iterator is closed.
   */
  async compact(prefix: string): Promise<void> {
    if (this.#db.compactRange === undefined) return;
    const range = prefixRange(prefix);
    try {
      await this.#db.batch([
        { type: 'del', key: range.gte },
        { type: 'del', key: `${prefix}~` },
      ]);
      await this.#db.compactRange(range.gte, range.lt ?? '\uffff');
    } catch (error) {
      throw toStorageError(error, `compact ${prefix}`);
    }
  }

  /** Closes the database; later operations fail with STORAGE_CLOSED. Closing twice is fine. */
  async close(): Promise<void> {
    try {
      await this.#db.close();
    } catch (error) {
      throw toStorageError(error, 'close');
    }
  }

  // abstract-level throws synchronously when an iterator is made on a closed database.
  #open<T>(make: () => T): T {
    try {
      return make();
    } catch (error) {
      throw toStorageError(error, 'iterate');
    }
  }

  async #next<T>(read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (error) {
      throw toStorageError(error, 'iterate');
    }
  }
}

function levelOptions(range: KvRange, options: KvReadOptions): LevelRangeOptions {
  const out: LevelRangeOptions = {};
  if ('prefix' in range) {
    Object.assign(out, prefixRange(range.prefix));
  } else {
    for (const name of RANGE_KEYS) {
      const bound = range[name];
      if (bound !== undefined) out[name] = bound;
    }
  }
  if (options.limit !== undefined) {
    if (!Number.isSafeInteger(options.limit) || options.limit < 0) {
      throw new StorageError('STORAGE_INVALID', `limit ${options.limit} is not a count`);
    }
    out.limit = options.limit;
  }
  if (options.reverse === true) out.reverse = true;
  return out;
}

function checkKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key === '') {
    throw new StorageError(
      'STORAGE_INVALID',
      `a key must be a non-empty string, not ${describe(key)}`,
    );
  }
}

function checkValue(key: string, value: unknown): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new StorageError(
      'STORAGE_INVALID',
      `the value of ${key} must be a Uint8Array, not ${describe(value)}`,
    );
  }
}

/** Validates an operation that may come from untyped code, and copies it. */
function checkOperation(op: unknown): KvOperation {
  if (typeof op !== 'object' || op === null) {
    throw new StorageError(
      'STORAGE_INVALID',
      `a batch operation must be an object, not ${describe(op)}`,
    );
  }
  const { type, key, value } = op as { type?: unknown; key?: unknown; value?: unknown };
  checkKey(key);
  if (type === 'del') return { type, key };
  if (type !== 'put') {
    throw new StorageError(
      'STORAGE_INVALID',
      `batch operation type must be 'put' or 'del', not ${describe(type)}`,
    );
  }
  checkValue(key, value);
  return { type, key, value };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return value.constructor.name;
  return typeof value;
}

/** Node Buffers (classic-level, memory-level) become plain Uint8Arrays, without copying. */
function plain(value: Uint8Array): Uint8Array;
function plain(value: Uint8Array | undefined): Uint8Array | undefined;
function plain(value: Uint8Array | undefined): Uint8Array | undefined {
  if (value === undefined || Object.getPrototypeOf(value) === Uint8Array.prototype) return value;
  return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
}

function ignore(): void {
  // Closing an iterator whose database is already closed fails; nothing is left to free.
}
