import { decodeCbor } from '../cbor/decode.ts';
import { encodeCbor } from '../cbor/encode.ts';
import { ShapeReader } from '../cbor/shape.ts';
import type { CborValue } from '../cbor/value.ts';
import { bytesEqual } from '../crypto/bytes.ts';
import { decodeKeyPackage, encodeKeyPackage } from '../group/key-package.ts';
import { isDeviceId, isUserId } from '../identity/user-id.ts';
import type { KvOperation } from '../storage/store.ts';
import { ClientError } from './errors.ts';
import { intentOf, type Intent, type IntentSpec, type ProfileChange } from './intent.ts';
import type { RoomStore } from './room-store.ts';

interface Entry {
  /** The epoch the intent's commit made; undefined once a fork undid it (to make again). */
  epochId: Uint8Array | undefined;
  readonly intent: Intent;
}

/**
 * The control-plane changes this device committed in a room, stored with the room: each under
 * the epoch its commit made, as long as a fork could still undo that epoch (it is retained).
 * When a fork undoes one, the entry is marked in the same batch as the switch, and stays
 * until the change is made again on the winning chain, so a restart in between (or a crash)
 * cannot drop a ban or a removal the user asked for.
 */
export class IntentLog {
  readonly #store: RoomStore;
  readonly #entries = new Map<number, Entry>();
  #next = 0;

  private constructor(store: RoomStore) {
    this.#store = store;
  }

  static empty(store: RoomStore): IntentLog {
    return new IntentLog(store);
  }

  static async load(store: RoomStore): Promise<IntentLog> {
    const log = new IntentLog(store);
    for (const [seq, value] of await store.intents()) {
      log.#entries.set(seq, decodeEntry(value));
      log.#next = Math.max(log.#next, seq + 1);
    }
    return log;
  }

  /** Records the intent a commit of this device carried, under the epoch it made. */
  committed(epochId: Uint8Array, intent: Intent): KvOperation[] {
    const seq = this.#next++;
    const entry = { epochId, intent };
    this.#entries.set(seq, entry);
    return [this.#store.putIntent(seq, encodeEntry(entry))];
  }

  /** Marks the intents of abandoned epochs as to be made again. */
  undone(epochIds: readonly Uint8Array[]): KvOperation[] {
    const ops: KvOperation[] = [];
    for (const [seq, entry] of this.#entries) {
      const id = entry.epochId;
      if (id !== undefined && epochIds.some((e) => bytesEqual(e, id))) {
        entry.epochId = undefined;
        ops.push(this.#store.putIntent(seq, encodeEntry(entry)));
      }
    }
    return ops;
  }

  /** Intents a fork undid and that are not made again yet, oldest first. */
  toMakeAgain(): { seq: number; intent: Intent }[] {
    return [...this.#entries]
      .filter(([, e]) => e.epochId === undefined)
      .map(([seq, e]) => ({ seq, intent: e.intent }));
  }

  /** An undone intent was made again (or found done, or no longer allowed). */
  settled(seq: number): KvOperation[] {
    if (!this.#entries.delete(seq)) return [];
    return [this.#store.delIntent(seq)];
  }

  /** Forgets intents whose epoch is no longer among `retained`: no fork can undo them now. */
  prune(retained: readonly { readonly epochId: Uint8Array }[]): KvOperation[] {
    const ops: KvOperation[] = [];
    for (const [seq, e] of this.#entries) {
      const id = e.epochId;
      if (id !== undefined && !retained.some((r) => bytesEqual(r.epochId, id))) {
        this.#entries.delete(seq);
        ops.push(this.#store.delIntent(seq));
      }
    }
    return ops;
  }

  /** The intent committed in epoch `epochId`, if any. */
  intentAt(epochId: Uint8Array): Intent | undefined {
    for (const e of this.#entries.values()) {
      if (e.epochId !== undefined && bytesEqual(e.epochId, epochId)) return e.intent;
    }
    return undefined;
  }
}

// Stored entry: [1, epochId | null, spec]; spec: [type, ...fields] (docs/PROTOCOL.md §8).
const TYPES = [
  'invite',
  'role',
  'unban',
  'profile',
  'invitesRestricted',
  'history',
  'disappearing',
  'removeDevices',
];

function encodeEntry(entry: Entry): Uint8Array {
  return encodeCbor([1, entry.epochId ?? null, encodeSpec(entry.intent.spec)]);
}

function encodeSpec(spec: IntentSpec): CborValue {
  const type = TYPES.indexOf(spec.type);
  switch (spec.type) {
    case 'invite':
      return [type, spec.keyPackages.map(encodeKeyPackage)];
    case 'role':
      return [type, spec.user, spec.role];
    case 'unban':
      return [type, spec.user];
    case 'profile': {
      const p = spec.profile;
      return [type, p.name ?? null, p.topic ?? null, p.avatar === undefined ? false : p.avatar];
    }
    case 'invitesRestricted':
      return [type, spec.restricted];
    case 'history':
      return [type, spec.history];
    case 'disappearing':
      return [type, spec.ms ?? null];
    case 'removeDevices':
      return [type, [...spec.devices]];
  }
}

const r: ShapeReader = new ShapeReader(
  (path, message) => new ClientError('STORAGE_CORRUPT', `stored intent ${path}: ${message}`),
);

function decodeEntry(bytes: Uint8Array): Entry {
  let value;
  try {
    value = decodeCbor(bytes);
  } catch (cause) {
    throw new ClientError('STORAGE_CORRUPT', 'a stored intent is not CBOR', { cause });
  }
  const a = r.array(value, '', 3);
  r.version(a[0], 1);
  const epochId = r.optional(a[1], 'epochId', (v, p) => r.bytes(v, p));
  return { epochId, intent: intentOf(decodeSpec(a[2])) };
}

function decodeSpec(value: CborValue): IntentSpec {
  const a = r.array(value, 'spec');
  const user = (v: CborValue): IntentSpec & { type: 'unban' } => {
    const u = r.text(v, 'spec.user', 128);
    if (!isUserId(u)) return r.fail('spec.user', 'not a user ID');
    return { type: 'unban', user: u };
  };
  switch (TYPES[typeof a[0] === 'number' ? a[0] : -1]) {
    case 'invite':
      return {
        type: 'invite',
        keyPackages: r.list(a[1], 'spec.keyPackages', 1000, (v, p) => {
          const kp = decodeKeyPackage(r.bytes(v, p));
          return kp ?? r.fail(p, 'not a key package');
        }),
      };
    case 'role':
      return { type: 'role', user: user(a[1]).user, role: r.uint(a[2], 'spec.role', 255) };
    case 'unban':
      return user(a[1]);
    case 'profile': {
      const text = (v: CborValue, p: string): string | undefined =>
        r.optional(v, p, (x, q) => r.text(x, q, 8192));
      const name = text(a[1], 'spec.name');
      const topic = text(a[2], 'spec.topic');
      const avatar = a[3] === false ? undefined : (text(a[3], 'spec.avatar') ?? null);
      const profile: ProfileChange = {
        ...(name === undefined ? {} : { name }),
        ...(topic === undefined ? {} : { topic }),
        ...(avatar === undefined ? {} : { avatar }),
      };
      return { type: 'profile', profile };
    }
    case 'invitesRestricted':
      return { type: 'invitesRestricted', restricted: r.bool(a[1], 'spec.restricted') };
    case 'history': {
      const h = r.text(a[1], 'spec.history', 32);
      if (h !== 'all' && h !== 'since-joined') return r.fail('spec.history', 'unknown');
      return { type: 'history', history: h };
    }
    case 'disappearing':
      return {
        type: 'disappearing',
        ms: r.optional(a[1], 'spec.ms', (v, p) => r.uint(v, p, Number.MAX_SAFE_INTEGER)),
      };
    case 'removeDevices':
      return {
        type: 'removeDevices',
        devices: r.list(a[1], 'spec.devices', 1000, (v, p) => {
          const id = r.text(v, p, 128);
          return isDeviceId(id) ? id : r.fail(p, 'not a device ID');
        }),
      };
    default:
      return r.fail('spec', 'an unknown kind of change');
  }
}
