import type { ClientConfig } from 'ts-mls';
import { decodeCbor } from '../cbor/decode.ts';
import { encodeCbor } from '../cbor/encode.ts';
import { fromHex, toHex } from '../crypto/bytes.ts';
import type { BodyChanges, StoredBodies, StoredBody } from '../timeline/bodies.ts';
import { withoutBodies } from '../timeline/signed-update.ts';
import type { EpochRecord } from '../group/epoch.ts';
import { decodeRoomState, encodeRoomState } from '../room/room-state-codec.ts';
import type { RoomState } from '../room/room-state.ts';
import { ShapeReader } from '../cbor/shape.ts';
import type { CborValue } from '../cbor/value.ts';
import { memberDevices } from '../group/leaves.ts';
import { isUserId } from '../identity/user-id.ts';
import type { UserId } from '../ids.ts';
import { ClientError } from './errors.ts';
import { decodeEpochRecord, encodeEpochRecord } from '../group/record-codec.ts';
import {
  joinKey,
  keyPrefix,
  parseSeqKeyNumber,
  prefixRange,
  seqKey,
  splitKey,
} from '../storage/keys.ts';
import type { KvOperation, KvStore } from '../storage/store.ts';

/**
 * The persistent part of one room (docs/ARCHITECTURE.md, "Storage layout"): its retained
 * epochs, every signed update as received, and the outbox of this device's own updates not
 * yet seen by another member. Callers gather the operations of one step and commit them in a
 * single batch, so a crash leaves either the state before the step or the state after it.
 */
export class RoomStore {
  readonly #kv: KvStore;
  readonly #room: string;

  constructor(kv: KvStore, groupId: Uint8Array) {
    this.#kv = kv;
    this.#room = toHex(groupId);
  }

  static roomIds(kv: KvStore): AsyncGenerator<string> {
    return (async function* () {
      for await (const key of kv.keys({ prefix: keyPrefix('room') })) {
        const parts = splitKey(key);
        if (parts.length === 3 && parts[2] === 'meta' && parts[1] !== undefined) yield parts[1];
      }
    })();
  }

  putMeta(meta: RoomMeta): KvOperation {
    return { type: 'put', key: joinKey('room', this.#room, 'meta'), value: encodeMeta(meta) };
  }

  putEpoch(record: EpochRecord): KvOperation {
    return {
      type: 'put',
      key: joinKey('room', this.#room, 'epoch', seqKey(record.epoch)),
      value: encodeEpochRecord(record),
    };
  }

  delEpoch(epoch: bigint): KvOperation {
    return { type: 'del', key: joinKey('room', this.#room, 'epoch', seqKey(epoch)) };
  }

  /** Who was a member, and the room state, at an epoch: kept for every epoch since joining. */
  putHistory(record: EpochRecord): KvOperation {
    const members = memberDevices(record.state).map((d): CborValue => [d.publicKey, d.userId]);
    return {
      type: 'put',
      key: joinKey('room', this.#room, 'history', seqKey(record.epoch)),
      value: encodeCbor([1, record.epoch, encodeRoomState(record.room), members]),
    };
  }

  delHistory(epoch: bigint): KvOperation {
    return { type: 'del', key: joinKey('room', this.#room, 'history', seqKey(epoch)) };
  }

  async *history(): AsyncGenerator<HistoryEntry> {
    for await (const [, value] of this.#kv.entries({
      prefix: keyPrefix('room', this.#room, 'history'),
    })) {
      yield decodeHistory(value);
    }
  }

  async epochs(config: ClientConfig): Promise<EpochRecord[]> {
    const out: EpochRecord[] = [];
    for await (const [, value] of this.#kv.entries({
      prefix: keyPrefix('room', this.#room, 'epoch'),
    })) {
      out.push(decodeEpochRecord(value, config));
    }
    return out;
  }

  /** Stores a signed update in its 8-field form: its bodies go to `putBody` (§6.1). */
  putUpdate(author: Uint8Array, seq: number, bytes: Uint8Array): KvOperation {
    return { type: 'put', key: this.#updateKey(author, seq), value: withoutBodies(bytes) };
  }

  /**
   * The store's side of what the timeline kept, purged and saw expire (timeline/bodies.ts). A
   * body with its owner goes under `body/<id>/owned` as `[1, owner, body]`; `body/<id>` holds a
   * bare body (layout 3 and before, or no owner known), whose owner is checked on first use.
   */
  bodyOps(changes: BodyChanges): KvOperation[] {
    const ops: KvOperation[] = [];
    for (const row of changes.stored) ops.push(this.#putBody(row));
    for (const row of changes.owned) {
      ops.push(this.#putBody(row), { type: 'del', key: this.#bodyKey('body', row[0]) });
    }
    for (const id of changes.purged) {
      ops.push({ type: 'del', key: this.#bodyKey('body', id) });
      ops.push({ type: 'del', key: this.#ownedKey(id) });
    }
    for (const id of changes.expired) {
      ops.push({ type: 'put', key: this.#bodyKey('expired', id), value: new Uint8Array() });
    }
    return ops;
  }

  #putBody([id, body, owner]: StoredBody): KvOperation {
    return owner === undefined
      ? { type: 'put', key: this.#bodyKey('body', id), value: body }
      : {
          type: 'put',
          key: this.#ownedKey(id),
          value: encodeCbor([1, owner, body]),
        };
  }

  /** The key prefix of the bodies, to compact once some were purged. */
  get bodyPrefix(): string {
    return keyPrefix('room', this.#room, 'body');
  }

  async storedBodies(): Promise<StoredBodies> {
    const bodies: StoredBody[] = [];
    for await (const [key, value] of this.#kv.entries({ prefix: this.bodyPrefix })) {
      const parts = splitKey(key);
      const id = fromHex(parts[3] ?? '');
      if (id?.length !== 32) continue;
      if (parts.length === 4) bodies.push([id, value]);
      else if (parts.length === 5 && parts[4] === OWNED) bodies.push(decodeOwnedBody(id, value));
    }
    const expired: Uint8Array[] = [];
    for await (const key of this.#kv.keys({ prefix: keyPrefix('room', this.#room, 'expired') })) {
      const id = fromHex(splitKey(key).at(-1) ?? '');
      if (id !== undefined) expired.push(id);
    }
    return { bodies, expired };
  }

  #ownedKey(id: Uint8Array): string {
    return joinKey('room', this.#room, 'body', toHex(id), OWNED);
  }

  #bodyKey(table: 'body' | 'expired', id: Uint8Array): string {
    return joinKey('room', this.#room, table, toHex(id));
  }

  /**
   * Stored updates beyond `heads` (a snapshot's state vector: author hex → last seq), author by
   * author, each author's in chain order. Each author's chain is entered past its head: a room
   * of 100k updates reads a few keys to find its authors, not the keys of every update.
   */
  async updatesAfter(heads: ReadonlyMap<string, { readonly seq: number }>): Promise<Uint8Array[]> {
    const all = rangeOf(keyPrefix('room', this.#room, 'update'));
    const out: Uint8Array[] = [];
    let from = all.gte;
    for (;;) {
      let first: string | undefined;
      for await (const key of this.#kv.keys({ gte: from, lt: all.lt }, { limit: 1 })) first = key;
      if (first === undefined) return out;
      const author = splitKey(first).at(-2) ?? '';
      const chain = rangeOf(keyPrefix('room', this.#room, 'update', author));
      const head = heads.get(author)?.seq;
      const gte = head === undefined ? chain.gte : chain.gte + seqKey(head + 1);
      for await (const [, value] of this.#kv.entries({ gte, lt: chain.lt })) out.push(value);
      // Past this author's keys (`lt` is the prefix with its last '/' raised to '0').
      from = chain.lt;
    }
  }

  /** A device certificate learned with history (an author this device never saw as a member). */
  putAuthor(devicePublicKey: Uint8Array, certificate: Uint8Array): KvOperation {
    return {
      type: 'put',
      key: joinKey('room', this.#room, 'author', toHex(devicePublicKey)),
      value: certificate,
    };
  }

  async authors(): Promise<Uint8Array[]> {
    const out: Uint8Array[] = [];
    for await (const [, v] of this.#kv.entries({
      prefix: keyPrefix('room', this.#room, 'author'),
    })) {
      out.push(v);
    }
    return out;
  }

  putOutbox(seq: number): KvOperation {
    return { type: 'put', key: this.#outboxKey(seq), value: new Uint8Array() };
  }

  delOutbox(seq: number): KvOperation {
    return { type: 'del', key: this.#outboxKey(seq) };
  }

  async outbox(): Promise<number[]> {
    const out: number[] = [];
    for await (const key of this.#kv.keys({ prefix: keyPrefix('outbox', this.#room) })) {
      out.push(parseSeqKeyNumber(splitKey(key).at(-1) ?? ''));
    }
    return out;
  }

  /** An entry of the room's intent log (intent-log.ts). */
  putIntent(seq: number, value: Uint8Array): KvOperation {
    return { type: 'put', key: joinKey('room', this.#room, 'intent', seqKey(seq)), value };
  }

  delIntent(seq: number): KvOperation {
    return { type: 'del', key: joinKey('room', this.#room, 'intent', seqKey(seq)) };
  }

  async intents(): Promise<[number, Uint8Array][]> {
    const out: [number, Uint8Array][] = [];
    for await (const [key, value] of this.#kv.entries({
      prefix: keyPrefix('room', this.#room, 'intent'),
    })) {
      out.push([parseSeqKeyNumber(splitKey(key).at(-1) ?? ''), value]);
    }
    return out;
  }

  putSnapshot(bytes: Uint8Array): KvOperation {
    return { type: 'put', key: joinKey('room', this.#room, 'snapshot'), value: bytes };
  }

  snapshot(): Promise<Uint8Array | undefined> {
    return this.#kv.get(joinKey('room', this.#room, 'snapshot'));
  }

  #updateKey(author: Uint8Array, seq: number): string {
    return joinKey('room', this.#room, 'update', toHex(author), seqKey(seq));
  }

  #outboxKey(seq: number): string {
    return joinKey('outbox', this.#room, seqKey(seq));
  }
}

export interface HistoryEntry {
  readonly epoch: bigint;
  readonly room: RoomState;
  /** Member devices: public key and user. */
  readonly members: readonly (readonly [Uint8Array, UserId])[];
}

const r: ShapeReader = new ShapeReader(
  (path, message) => new ClientError('STORAGE_CORRUPT', `stored room data ${path}: ${message}`),
);

function decodeHistory(bytes: Uint8Array): HistoryEntry {
  let value;
  try {
    value = decodeCbor(bytes);
  } catch (cause) {
    throw new ClientError('STORAGE_CORRUPT', 'stored room history is not CBOR', { cause });
  }
  const a = r.array(value, '', 4);
  return {
    epoch: r.biguint(a[1], 'epoch'),
    room: decodeRoomState(r.bytes(a[2], 'room')),
    members: r.list(a[3], 'members', 100_000, (v, p) => {
      const [key, user] = r.array(v, p, 2);
      const id = r.text(user, `${p}.user`, 64);
      if (!isUserId(id)) r.fail(`${p}.user`, 'not a user ID');
      return [r.bytes(key, `${p}.key`, 32), id] as const;
    }),
  };
}

/** The keys under `prefix`, a `keyPrefix` (never empty, so its range has both ends). */
function rangeOf(prefix: string): { gte: string; lt: string } {
  const { gte, lt } = prefixRange(prefix);
  return { gte, lt: lt ?? `${prefix}~` };
}

/** The last key segment of a body stored with its owner. */
const OWNED = 'owned';

function decodeOwnedBody(id: Uint8Array, bytes: Uint8Array): StoredBody {
  let value;
  try {
    value = decodeCbor(bytes);
  } catch (cause) {
    throw new ClientError('STORAGE_CORRUPT', 'a stored body is not CBOR', { cause });
  }
  const [, owner, body] = r.array(value, 'body', 3);
  const user = r.text(owner, 'body.owner', 128);
  if (!isUserId(user)) r.fail('body.owner', 'not a user ID');
  return [id, r.bytes(body, 'body.body'), user];
}

/** What marks a room as stored, with the epoch this device joined it at. */
export interface RoomMeta {
  readonly joinedEpoch: bigint;
}

function encodeMeta(meta: RoomMeta): Uint8Array {
  return encodeCbor([1, meta.joinedEpoch]);
}
