import { decodeCbor } from '../cbor/decode.ts';
import { encodeCbor } from '../cbor/encode.ts';
import { ShapeReader } from '../cbor/shape.ts';
import { isCallSignal, MAX_CALL_SIGNAL_BYTES } from '../calls/call-signal.ts';
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

/** The wire form of timeline updates or fork evidence, inside an MLS application message. */
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

/** A signal of the ephemeral plane (typing, presence): handed on, never stored nor synced. */
export interface SignalPayload {
  readonly type: 'signal';
  readonly signal: Uint8Array;
}

/** A payload type this version does not know: receivers ignore it, so new types degrade safely. */
export interface UnknownPayload {
  readonly type: 'unknown';
  readonly code: number;
}

/** Anything a room's MLS application message may carry. */
export type RoomPayload = AppPayload | SignalPayload | UnknownPayload;

const SIGNAL_TYPE = 2;
/** Largest signal carried: signals are a few bytes; this bounds what a member can make others hold. */
const MAX_SIGNAL_BYTES = 1024;

/** Wraps an encoded signal (`encodeSignal`) as a room payload. */
export function encodeSignalPayload(signal: Uint8Array): Uint8Array {
  return encodeCbor([VERSION, SIGNAL_TYPE, signal]);
}

/** Reads any payload of a room's MLS application messages. */
export function decodeRoomPayload(bytes: Uint8Array): RoomPayload {
  let value;
  try {
    value = decodeCbor(bytes, { maxDepth: 3 });
  } catch (cause) {
    throw new SyncError('SYNC_MALFORMED', 'payload is not deterministic CBOR', { cause });
  }
  const a = r.array(value, '');
  r.version(a[0], VERSION);
  const code = r.uint(a[1], 'type');
  if (code === SIGNAL_TYPE) {
    r.array(value, '', 3);
    const signal = r.bytes(a[2], 'signal');
    // Call signals carry SDP and get a bound of their own; typing and presence stay small.
    const limit = isCallSignal(signal) ? MAX_CALL_SIGNAL_BYTES : MAX_SIGNAL_BYTES;
    if (signal.length > limit) r.fail('signal', `at most ${limit} bytes`);
    return { type: 'signal', signal };
  }
  const type = TYPES[code];
  if (type === undefined) return { type: 'unknown', code };
  r.array(value, '', 4);
  const updates = r.list(a[2], 'updates', MAX_UPDATES, (v, p) => r.bytes(v, p));
  if (type === 'evidence' && updates.length !== 2) r.fail('updates', 'evidence is two updates');
  const authors = r.list(a[3], 'authors', MAX_AUTHORS, (v, p) => r.bytes(v, p));
  return { type, updates, authors };
}

/** Reads a payload that must carry updates or evidence. */
export function decodeAppPayload(bytes: Uint8Array): AppPayload {
  const payload = decodeRoomPayload(bytes);
  if (payload.type === 'signal' || payload.type === 'unknown') {
    throw new SyncError('SYNC_MALFORMED', `payload type: updates or evidence expected`);
  }
  return payload;
}
