import { joinKey, keyPrefix, type KvStore } from '@kith/core';

/**
 * A small keyed store for the app on top of the engine (profile, read markers, settings), in
 * the device's database under `app/`: the app needs no second database, and a reopen finds
 * it with the rest of the device.
 */
export class AppData {
  readonly #kv: KvStore;

  constructor(kv: KvStore) {
    this.#kv = kv;
  }

  /** The JSON value under `key` (printable ASCII segments), or undefined. */
  async get<T>(...key: string[]): Promise<T | undefined> {
    const bytes = await this.#kv.get(joinKey('app', ...key));
    return bytes === undefined ? undefined : (JSON.parse(new TextDecoder().decode(bytes)) as T);
  }

  /** Every entry: its key segments (after `app`) and its JSON text, for a backup. */
  async entries(): Promise<[string[], string][]> {
    const out: [string[], string][] = [];
    for await (const [key, value] of this.#kv.entries({ prefix: keyPrefix('app') })) {
      out.push([key.split('/').slice(1), new TextDecoder().decode(value)]);
    }
    return out;
  }

  /** Stores JSON text as it is under `key` (a restore puts back what `entries` gave). */
  async putText(json: string, ...key: string[]): Promise<void> {
    await this.#kv.put(joinKey('app', ...key), new TextEncoder().encode(json));
  }

  /** Stores `value` as JSON under `key` (printable ASCII segments). */
  async put(value: unknown, ...key: string[]): Promise<void> {
    await this.#kv.put(joinKey('app', ...key), new TextEncoder().encode(JSON.stringify(value)));
  }
}
