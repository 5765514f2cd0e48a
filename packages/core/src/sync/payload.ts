import { decodeCbor } from '../cbor/decode.ts';
import { encodeCbor } from '../cbor/encode.ts';
import { ShapeReader } from '../cbor/shape.ts';
import { SyncError } from './errors.ts';

/**
 * What an MLS application message of a room carries (docs/PROTOCOL.md, "Application
 * payloads"): signed timeline updates, or proof that an author forked its chain.
 */
export interface AppPayload {
  readonly type: 'updates' | 'evidence';
  readonly updates: readonly Uint8Array[];
  /**
   * Device certificates of the updates' authors, for receivers that never saw those devices in
   * the group (history written before they joined, by members who have left since).
   */
  readonly authors: readonly Uint8Array[];
}

const TYPES = ['updates', 'evidence'] as const;
const VERSION = 1;
const MAX_UPDATES = 100_000;
const MAX_AUTHORS = 10_000;

export function encodeAppPayload(payload: AppPayload): Uint8Array {
  return encodeCbor([
    VERSION,
    TYPES.indexOf(payload.type),
    [...payload.updates],
    [...payload.authors],
  ]);
}

const r: ShapeReader = new ShapeReader(
  (path, message) => new SyncError('SYNC_MALFORMED', `payload ${path}: ${message}`),
);

export function decodeAppPayload(bytes: Uint8Array): AppPayload {
  let value;
  try {
    value = decodeCbor(bytes, { maxDepth: 3 });
  } catch (cause) {
    throw new SyncError('SYNC_MALFORMED', 'payload is not deterministic CBOR', { cause });
  }
  const a = r.array(value, '', 4);
  r.version(a[0], VERSION);
  const type = TYPES[r.uint(a[1], 'type', TYPES.length - 1)] ?? 'updates';
  const updates = r.list(a[2], 'updates', MAX_UPDATES, (v, p) => r.bytes(v, p));
  if (type === 'evidence' && updates.length !== 2) r.fail('updates', 'evidence is two updates');
  const authors = r.list(a[3], 'authors', MAX_AUTHORS, (v, p) => r.bytes(v, p));
  return { type, updates, authors };
}
