import { MemoryLevel } from 'memory-level';
import type { KvDatabase, KvOperation } from '../../src/storage/store.ts';
import { KvStore } from '../../src/storage/store.ts';

/**
 * A memory-level database whose writes can be made to fail: `full` fails them as a full disk
 * does (ENOSPC), `crashAfter(n)` lets n more writes through and fails the rest, as a process
 * killed at that point would have stored nothing more. Reads always work; `inner` is what a
 * restarted process would find on disk.
 */
export class FaultyDb implements KvDatabase {
  readonly inner = new MemoryLevel<string, Uint8Array>(KvStore.databaseOptions);
  #full = false;
  #writesLeft = Infinity;
  writes = 0;

  set full(value: boolean) {
    this.#full = value;
  }

  crashAfter(writes: number): void {
    this.#writesLeft = writes;
  }

  #write(): void {
    if (this.#full) throw Object.assign(new Error('No space left on device'), { code: 'ENOSPC' });
    if (this.#writesLeft <= 0) throw Object.assign(new Error('process killed'), { code: 'EIO' });
    this.#writesLeft--;
    this.writes++;
  }

  get status(): KvDatabase['status'] {
    return this.inner.status;
  }
  open(): Promise<void> {
    return this.inner.open();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
  get(key: string): Promise<Uint8Array | undefined> {
    return this.inner.get(key);
  }
  getMany(keys: string[]): Promise<(Uint8Array | undefined)[]> {
    return this.inner.getMany(keys);
  }
  async put(key: string, value: Uint8Array): Promise<void> {
    this.#write();
    await this.inner.put(key, value);
  }
  async del(key: string): Promise<void> {
    this.#write();
    await this.inner.del(key);
  }
  async batch(operations: KvOperation[]): Promise<void> {
    this.#write();
    await this.inner.batch(operations);
  }
  iterator(options: Parameters<KvDatabase['iterator']>[0]): ReturnType<KvDatabase['iterator']> {
    return this.inner.iterator(options);
  }
  keys(options: Parameters<KvDatabase['keys']>[0]): ReturnType<KvDatabase['keys']> {
    return this.inner.keys(options);
  }
  async clear(options: Parameters<KvDatabase['clear']>[0]): Promise<void> {
    this.#write();
    await this.inner.clear(options);
  }
  keyEncoding(): { readonly commonName: string } {
    return this.inner.keyEncoding();
  }
  valueEncoding(): { readonly commonName: string } {
    return this.inner.valueEncoding();
  }
}
