import { StorageError } from './errors.ts';

/**
 * Storage keys: segments joined with `/`. Every backend orders keys by their UTF-8 bytes, so
 * the helpers keep keys to printable ASCII (where byte order, UTF-16 order and code point
 * order agree) and write numbers at a fixed width, making lexicographic order numeric order.
 *
 * The engine's layout (the helpers below stay generic; the engine builds these keys):
 *
 * | key                                       | value                                                |
 * | ----------------------------------------- | ---------------------------------------------------- |
 * | `meta/schema`                             | layout version, checked on open                      |
 * | `identity/<name>`                         | user and device keys, certificates                   |
 * | `room/<roomId>/state/<epoch>`             | encoded MLS client state at that epoch, until final  |
 * | `room/<roomId>/commit/<epoch>`            | the commit that left `<epoch>`, for rollback/resync  |
 * | `room/<roomId>/update/<authorHex>/<seq>`  | a signed Yjs update, exactly as received             |
 * | `room/<roomId>/snapshot`                  | Yjs snapshot and the update heads it covers          |
 * | `outbox/<roomId>/<seq>`                   | a message the user sent, until known delivered       |
 *
 * `<epoch>` and `<seq>` are `seqKey` values, so `room/<id>/update/<author>/` lists one author's
 * chain in order, and a range between two `seqKey`s selects a span of epochs. Whatever must
 * change together (a new state and its commit, an update and its outbox entry) is written in
 * one `KvStore.batch`.
 */

/** What a key is built from: text segments, or unsigned integers written with `seqKey`. */
export type KeySegment = string | number | bigint;

/** Printable ASCII without `/`: no segment can forge a deeper path or break prefix ranges. */
const SEGMENT = /^[\x21-\x2e\x30-\x7e]+$/;
const SEQ = /^[0-9a-f]{16}$/;
const MAX_SEQ = (1n << 64n) - 1n;

/**
 * An unsigned integer below 2^64 (a sequence number or MLS epoch) as 16 lowercase hex digits,
 * so that string order is numeric order.
 */
export function seqKey(n: number | bigint): string {
  if (typeof n === 'number' && !(Number.isSafeInteger(n) && n >= 0)) {
    throw new StorageError('STORAGE_INVALID', `key number ${n} is not a non-negative safe integer`);
  }
  const big = BigInt(n);
  if (big < 0n || big > MAX_SEQ) {
    throw new StorageError('STORAGE_INVALID', `key number ${big} is outside 0..2^64-1`);
  }
  return big.toString(16).padStart(16, '0');
}

/** Reads a `seqKey` segment back. A malformed one means the stored keys are damaged. */
export function parseSeqKey(segment: string): bigint {
  if (!SEQ.test(segment)) {
    throw new StorageError('STORAGE_CORRUPT', `"${segment}" is not a 16-digit hex key number`);
  }
  return BigInt(`0x${segment}`);
}

/** `parseSeqKey` for counters known to stay below 2^53 (sequence numbers). */
export function parseSeqKeyNumber(segment: string): number {
  const n = parseSeqKey(segment);
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new StorageError('STORAGE_CORRUPT', `key number ${n} is beyond 2^53`);
  }
  return Number(n);
}

/** Builds a key: `joinKey('room', roomId, 'state', 7n)` is `room/<roomId>/state/0000000000000007`. */
export function joinKey(...segments: readonly KeySegment[]): string {
  if (segments.length === 0) throw new StorageError('STORAGE_INVALID', 'a key needs a segment');
  return segments.map(segmentText).join('/');
}

/**
 * The prefix that selects every key below these segments (it ends in `/`, so `room/ab/`
 * does not also select `room/abc/...`).
 */
export function keyPrefix(...segments: readonly KeySegment[]): string {
  return `${joinKey(...segments)}/`;
}

/** A key's segments, as text (use `parseSeqKey` on the numeric ones). */
export function splitKey(key: string): string[] {
  return key.split('/');
}

/**
 * The key range holding exactly the keys that start with `prefix`: from the prefix itself up
 * to (not including) the prefix with its last character incremented. The empty prefix is
 * every key.
 */
export function prefixRange(prefix: string): { gte: string; lt?: string } {
  if (prefix === '') return { gte: '' };
  for (let i = 0; i < prefix.length; i++) {
    if (prefix.charCodeAt(i) > 0x7e) {
      throw new StorageError('STORAGE_INVALID', `key prefix "${prefix}" is not printable ASCII`);
    }
  }
  const last = prefix.charCodeAt(prefix.length - 1);
  return { gte: prefix, lt: prefix.slice(0, -1) + String.fromCharCode(last + 1) };
}

function segmentText(segment: KeySegment): string {
  if (typeof segment !== 'string') return seqKey(segment);
  if (!SEGMENT.test(segment)) {
    throw new StorageError(
      'STORAGE_INVALID',
      `key segment "${segment}" must be non-empty printable ASCII without "/"`,
    );
  }
  return segment;
}
