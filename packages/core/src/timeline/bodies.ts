import type { UserId } from '../ids.ts';
import { messageKey } from './entry.ts';

/**
 * Message bodies (encoded MIMI content) kept beside the signed timeline: an entry's envelope
 * holds only the body's MIMI message ID (a SHA-256 over the body, sender and room), so a device
 * can forget a body (a retraction, an expiry) and still hold, verify and forward the signed
 * chain (docs/PROTOCOL.md §6.1).
 */

/**
 * `[message ID, body, owner]`: the owner is the user this device found the body to hash to the
 * ID with, as sender, when it first took the body in. Stored with the body, it saves hashing
 * every body again on reopen (docs/SECURITY.md, "What is trusted at rest"); a body stored
 * without one (an older layout) is hashed on first use, as it always was.
 */
export type StoredBody = readonly [id: Uint8Array, body: Uint8Array, owner?: UserId | undefined];

/** Bodies and expired message IDs as a device stored them, handed back when it reopens a room. */
export interface StoredBodies {
  readonly bodies: Iterable<StoredBody>;
  /** IDs of messages that expired here: entries that refer to them are purged on arrival. */
  readonly expired: Iterable<Uint8Array>;
}

/** What the store must do since the last `take`: bodies to write and delete, expired IDs. */
export interface BodyChanges {
  /** New bodies, each with its owner when known. */
  readonly stored: readonly StoredBody[];
  readonly purged: readonly Uint8Array[];
  readonly expired: readonly Uint8Array[];
  /**
   * Bodies read back without an owner (an older layout) whose owner this device has checked
   * since: to store again with it, so the next reopen need not hash them.
   */
  readonly owned: readonly StoredBody[];
}

/**
 * The bodies one device holds, by message ID key, and a journal of changes for its store. A
 * body put and purged between two `take`s never reaches the store at all.
 */
export class BodyTable {
  readonly #bodies = new Map<string, Uint8Array>();
  readonly #expired = new Set<string>();
  /**
   * The user each body was checked against (its message ID hashes the sender, so a body has one
   * owner); bodies read back from the store are checked again on first use (body-keeper.ts).
   */
  readonly #owners = new Map<string, UserId>();
  #puts = new Map<string, Uint8Array>();
  #dels = new Set<string>();
  #expiredNew = new Set<string>();
  /** Bodies read back without an owner, until one is checked (then journalled in `#owned`). */
  readonly #unowned = new Set<string>();
  #owned = new Set<string>();

  get size(): number {
    return this.#bodies.size;
  }

  get(key: string): Uint8Array | undefined {
    return this.#bodies.get(key);
  }

  /** The user the body under `key` is known to belong to. */
  ownerOf(key: string): UserId | undefined {
    return this.#owners.get(key);
  }

  /** Records that the body under `key` hashes to it with `owner` as sender. */
  setOwner(key: string, owner: UserId): void {
    if (!this.#bodies.has(key)) return;
    this.#owners.set(key, owner);
    if (this.#unowned.delete(key)) this.#owned.add(key);
  }

  /**
   * Keeps a body; `journal: false` for bodies read back from the store. `owner` only when the
   * body was checked to hash to `key` with that user as sender (or was stored so checked).
   */
  put(key: string, body: Uint8Array, journal = true, owner?: UserId): void {
    if (this.#bodies.has(key)) return;
    this.#bodies.set(key, body);
    if (owner !== undefined) this.#owners.set(key, owner);
    if (journal) {
      this.#puts.set(key, body);
      this.#dels.delete(key);
    } else if (owner === undefined) {
      this.#unowned.add(key);
    }
  }

  /** Forgets a body for good (a no-op when it is not held). */
  purge(key: string): void {
    if (!this.#bodies.delete(key)) return;
    this.#owners.delete(key);
    this.#unowned.delete(key);
    this.#owned.delete(key);
    if (!this.#puts.delete(key)) this.#dels.add(key);
  }

  isExpired(key: string): boolean {
    return this.#expired.has(key);
  }

  markExpired(key: string, journal = true): void {
    if (this.#expired.has(key)) return;
    this.#expired.add(key);
    if (journal) this.#expiredNew.add(key);
  }

  /** `[message ID, body, owner]` of the body held under `key`, if any. */
  row(key: string): StoredBody | undefined {
    const body = this.#bodies.get(key);
    return body === undefined ? undefined : this.#row(key, body);
  }

  expiredIds(): Uint8Array[] {
    return [...this.#expired].map(idBytes);
  }

  load(stored: StoredBodies): void {
    for (const [id, body, owner] of stored.bodies) this.put(messageKey(id), body, false, owner);
    for (const id of stored.expired) this.markExpired(messageKey(id), false);
  }

  take(): BodyChanges {
    const changes: BodyChanges = {
      stored: [...this.#puts].map(([key, body]) => this.#row(key, body)),
      purged: [...this.#dels].map(idBytes),
      expired: [...this.#expiredNew].map(idBytes),
      owned: [...this.#owned].flatMap((key) => {
        const body = this.#bodies.get(key);
        return body === undefined ? [] : [this.#row(key, body)];
      }),
    };
    this.#puts = new Map();
    this.#dels = new Set();
    this.#expiredNew = new Set();
    this.#owned = new Set();
    return changes;
  }

  /** `[message ID, body, owner]` for the store; no owner when none was checked. */
  #row(key: string, body: Uint8Array): StoredBody {
    const owner = this.#owners.get(key);
    return owner === undefined ? [idBytes(key), body] : [idBytes(key), body, owner];
  }
}

/** The bytes of a `messageKey`. */
function idBytes(key: string): Uint8Array {
  return Uint8Array.from(key, (c) => c.charCodeAt(0));
}
