import { textMessage } from '../content/builders.ts';
import { decodeContent, encodeContent } from '../content/codec.ts';
import { contentMessageId } from '../content/message-id.ts';
import type { MimiContent } from '../content/model.ts';
import type { RoomId, UserId } from '../ids.ts';
import type { AuthorChain } from './author-chain.ts';
import { BodyTable } from './bodies.ts';
import { messageKey, TimelineEntry } from './entry.ts';
import { expiryOf } from './expiry.ts';
import { TimelineLimits } from './limits.ts';
import type { TimelineReducer } from './reduce.ts';
import { roomUri, userUri } from './uris.ts';
import type { CheckedEntry } from './yjs-check.ts';

/** An accepted entry whose body this device does not hold, and its placeholder. */
interface Waiting {
  readonly chain: AuthorChain;
  readonly user: UserId;
  readonly epoch: bigint;
  readonly entry: CheckedEntry;
  stub?: TimelineEntry;
}

/** Content of placeholders (never shown: a placeholder is shown only as retracted). */
const STUB_CONTENT: MimiContent = textMessage('', { salt: new Uint8Array(16) });
const STUB_BYTES = encodeContent(STUB_CONTENT);

/**
 * Joins accepted entries with their bodies before the reducer sees them, and forgets bodies
 * when the rules say so (docs/PROTOCOL.md §6.1): the message a retraction the reducer accepted
 * ends, with its edits and reactions; a message whose expiry passed, with everything that
 * refers to it. An entry without a body enters the reducer as a placeholder, shown only as a
 * retracted message, so every member shows a retraction the same way whatever bodies it holds.
 */
export class BodyKeeper {
  readonly table: BodyTable;
  readonly #reducer: TimelineReducer;
  readonly #roomId: RoomId;
  readonly #now: (() => number) | undefined;
  /** The room's disappearing time in an epoch (room state), enforced whatever a sender wrote. */
  readonly #roomTimer: (epoch: bigint) => number | undefined;
  /** By message ID key: usually one entry; a replayed message can occur twice. */
  readonly #waiting = new Map<string, Waiting[]>();
  /** Expiry (ms) of shown messages that have one, by message ID key. */
  readonly #expiry = new Map<string, number>();

  constructor(
    reducer: TimelineReducer,
    roomId: RoomId,
    now: (() => number) | undefined,
    roomTimer: (epoch: bigint) => number | undefined = () => undefined,
    table = new BodyTable(),
  ) {
    this.table = table;
    this.#reducer = reducer;
    this.#roomId = roomId;
    this.#now = now;
    this.#roomTimer = roomTimer;
  }

  /** Hands an accepted entry to the reducer, with its body if held or in `sidecar`. */
  admit(
    chain: AuthorChain,
    user: UserId,
    epoch: bigint,
    entry: CheckedEntry,
    sidecar: ReadonlyMap<string, Uint8Array> | undefined,
  ): void {
    const key = messageKey(entry.envelope.messageId);
    if (this.table.isExpired(key)) return;
    const w: Waiting = { chain, user, epoch, entry };
    const body = this.bodyOf(key, user) ?? sidecar?.get(key);
    if (body !== undefined && this.#enter(w, key, body)) return;
    w.stub = this.#entry(w, STUB_BYTES, STUB_CONTENT, true);
    this.#reducer.add(w.stub);
    const list = this.#waiting.get(key);
    if (list === undefined) this.#waiting.set(key, [w]);
    else list.push(w);
  }

  /** Accepted entries whose bodies this device does not hold. */
  get waitingCount(): number {
    return this.#waiting.size;
  }

  /**
   * Keeps the bodies of an update that waits (for the author's earlier updates, or for its
   * epoch): the stored update leaves its bodies out (§6.1), and once the device restarts and links
   * it, its chain looks whole to every member, so nobody would send them again.
   */
  keep(bodies: ReadonlyMap<string, Uint8Array>, owner: UserId | undefined): void {
    // `bodies` hash to their keys with `owner` as sender (`sidecarOf`).
    for (const [key, body] of bodies) {
      if (!this.table.isExpired(key)) this.table.put(key, body, true, owner);
    }
  }

  /** Bodies that came later than their entries (a duplicate carrying them, a sync answer). */
  offer(bodies: ReadonlyMap<string, Uint8Array>, owner: UserId | undefined): void {
    if (owner === undefined) return;
    for (const [key, body] of bodies) {
      const all = this.#waiting.get(key);
      if (all === undefined) continue;
      // `bodies` hash to their keys with `owner` as sender: only its entries take them.
      const list = all.filter((w) => w.user === owner);
      const rest = all.filter((w) => w.user !== owner);
      if (list.length === 0) continue;
      if (rest.length === 0) this.#waiting.delete(key);
      else this.#waiting.set(key, rest);
      const stubs = new Set(list.flatMap((w) => (w.stub === undefined ? [] : [w.stub])));
      this.#reducer.remove(stubs);
      for (const w of list) this.#enter(w, key, body);
    }
  }

  /** Purges what the retractions the reducer accepted since the last call end. */
  purgeRetracted(): void {
    for (const idKey of this.#reducer.takeRetracted()) {
      for (const e of this.#reducer.related(idKey)) {
        if (e.kind === 'retraction' && e.targetKey === idKey) continue;
        this.#purge(e);
      }
    }
  }

  /** Takes every message whose expiry is at or before `now` out, and purges it. */
  expire(now: number): number {
    const due: string[] = [];
    for (const [idKey, at] of this.#expiry) if (at <= now) due.push(idKey);
    for (const idKey of due) {
      this.#expiry.delete(idKey);
      this.table.markExpired(idKey);
      const entries = new Set(this.#reducer.related(idKey));
      this.#reducer.remove(entries);
      for (const e of entries) this.#purge(e);
    }
    return due.length;
  }

  /**
   * The body held under `key` if it is `user`'s: a message ID is only ever claimed by its owner's
   * body, but an entry without one can name any ID (docs/SECURITY.md, message-ID theft).
   */
  bodyOf(key: string, user: UserId): Uint8Array | undefined {
    const body = this.table.get(key);
    if (body === undefined) return undefined;
    const owner = this.table.ownerOf(key);
    if (owner !== undefined) return owner === user ? body : undefined;
    let id: Uint8Array;
    try {
      id = contentMessageId(body, userUri(user), roomUri(this.#roomId));
    } catch {
      return undefined;
    }
    if (messageKey(id) !== key) return undefined;
    this.table.setOwner(key, user);
    return body;
  }

  /** Forgets the body of an entry, if it is the entry's user's (never another's of that ID). */
  #purge(e: TimelineEntry): void {
    if (this.bodyOf(e.idKey, e.user) !== undefined) this.table.purge(e.idKey);
  }

  /** Enters an entry with its body; false when the body is not MIMI content. */
  #enter(w: Waiting, key: string, body: Uint8Array): boolean {
    if (this.table.isExpired(key)) return true;
    // `key` is the message ID computed from this body (`sidecarOf`) or a body stored here.
    let content: MimiContent;
    try {
      content = w.entry.content ?? decodeContent(body);
    } catch {
      // Not MIMI content: the entry stays a placeholder, on every member alike.
      return false;
    }
    const e = this.#entry(w, body, content, false);
    if (e.targetKey !== undefined && this.table.isExpired(e.targetKey)) return true;
    const now = this.#now?.();
    const at = e.kind === 'message' ? this.#expiryOf(content, e.ts, w.epoch, now) : undefined;
    if (at !== undefined && now !== undefined && at <= now) {
      this.table.markExpired(key);
      return true;
    }
    this.table.put(key, body, true, w.user);
    if (at !== undefined) this.#expiry.set(key, at);
    this.#reducer.add(e);
    return true;
  }

  /**
   * When a message expires: its own `expires`, or sooner the room's disappearing time of the
   * epoch it was written in. That counts from the sender's `ts`, but never from later than
   * now, so a sender cannot postpone it with a clock set ahead.
   */
  #expiryOf(
    content: MimiContent,
    ts: number,
    epoch: bigint,
    now: number | undefined,
  ): number | undefined {
    const own = expiryOf(content, ts);
    const timer = this.#roomTimer(epoch);
    if (timer === undefined) return own;
    const byRoom = Math.min(ts, now ?? ts) + timer;
    return own === undefined ? byRoom : Math.min(own, byRoom);
  }

  #entry(w: Waiting, body: Uint8Array, content: MimiContent, stub: boolean): TimelineEntry {
    const env = w.entry.envelope;
    return new TimelineEntry(
      {
        authorHex: w.chain.hex,
        deviceId: w.chain.deviceId,
        seq: env.seq,
        position: w.entry.position,
        lamport: env.lamport,
        ts: env.ts,
        epoch: w.epoch,
        contentBytes: body,
        content,
        messageId: env.messageId,
        stub,
      },
      w.user,
      this.#roomId,
    );
  }
}

/** The bodies an update carries, by message ID key (copies: the received buffer is not kept). */
export function sidecarOf(
  bodies: readonly unknown[] | undefined,
  user: UserId | undefined,
  roomId: RoomId,
): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  if (!Array.isArray(bodies) || user === undefined) return out;
  const sender = userUri(user);
  const room = roomUri(roomId);
  for (const b of bodies as readonly unknown[]) {
    if (!(b instanceof Uint8Array) || b.length > TimelineLimits.maxEntryBytes) continue;
    try {
      out.set(messageKey(contentMessageId(b, sender, room)), Uint8Array.from(b));
    } catch {
      // Not content: nothing refers to it.
    }
  }
  return out;
}
