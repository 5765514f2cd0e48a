import { decodeCbor } from '../cbor/decode.ts';
import { encodeCbor } from '../cbor/encode.ts';
import type { CborValue } from '../cbor/value.ts';
import { MESSAGE_ID_LENGTH, type MessageId } from '../content/message-id.ts';
import { malformed, readArray, readBytes, readInt, readUint } from './cbor-fields.ts';

function readMessageId(bytes: Uint8Array, value: CborValue): MessageId {
  const id = readBytes(value, 'entry message ID', MESSAGE_ID_LENGTH);
  if (id[0] !== 1) throw malformed('entry message ID: not a SHA-256 message ID');
  return bytes.subarray(bytes.length - id.length) as MessageId;
}

/**
 * A timeline entry: deterministic CBOR `[seq, lamport, ts, messageId]`, held in an author's `log:`
 * array as the one-element array `[envelope]` (see `logValueBytes` for why not bare bytes).
 * `seq` ties the entry to the signed update that carried it (so a forked author's entries can be
 * hidden from the fork on), `lamport` orders the timeline the same way on every member, `ts` is
 * the author's clock, for display and expiry. The MIMI content itself (the body) travels and is
 * stored beside the signed update (bodies.ts), so a device can forget it and keep the chain;
 * its MIMI message ID (a hash of the body, sender and room) is what the entry signs.
 */
export interface EntryEnvelope {
  readonly seq: number;
  /** 1 + the highest lamport the author had seen; strictly increasing per author. */
  readonly lamport: number;
  /** Milliseconds since the Unix epoch, by the author's clock. */
  readonly ts: number;
  /** The MIMI message ID of the entry's content (`contentMessageId`), which binds the body. */
  readonly messageId: MessageId;
}

export function encodeEnvelope(e: EntryEnvelope): Uint8Array {
  return encodeCbor([e.seq, e.lamport, e.ts, e.messageId]);
}

/** Throws TimelineError TIMELINE_MALFORMED. `messageId` is a view into `bytes`, not a copy. */
export function decodeEnvelope(bytes: Uint8Array): EntryEnvelope {
  return readCanonical(bytes) ?? decodeGeneric(bytes);
}

/**
 * The envelope as `encodeEnvelope` writes it, read in place: a reopen reads 100k of them, and
 * the generic decoder builds a value tree for each. Anything else (undefined) goes to the
 * generic decoder, which gives the same result or the error: this only takes the usual shape.
 */
function readCanonical(b: Uint8Array): EntryEnvelope | undefined {
  if (b[0] !== 0x84) return undefined;
  const seq = readHead(b, 1, 0);
  if (seq === undefined) return undefined;
  const lamport = readHead(b, at, 0);
  if (lamport === undefined || lamport === 0) return undefined;
  const ts = readHead(b, at, 1);
  if (ts === undefined) return undefined;
  const o = at;
  if (b[o] !== 0x58 || b[o + 1] !== MESSAGE_ID_LENGTH || b[o + 2] !== 1) return undefined;
  if (o + 2 + MESSAGE_ID_LENGTH !== b.length) return undefined;
  return { seq, lamport, ts, messageId: b.subarray(o + 2) as MessageId };
}

/** Where the item after the last `readHead` starts. */
let at = 0;

/**
 * An integer of major type 0 (or 1 when `negative` is 1) in its shortest form, as a safe
 * integer; undefined for anything else. Sets `at` past it.
 */
function readHead(b: Uint8Array, o: number, negative: 0 | 1): number | undefined {
  const initial = b[o];
  if (initial === undefined) return undefined;
  const major = initial >>> 5;
  if (major !== 0 && !(negative === 1 && major === 1)) return undefined;
  const info = initial & 0x1f;
  let n: number;
  let next: number;
  if (info < 24) {
    n = info;
    next = o + 1;
  } else if (info === 24) {
    n = b[o + 1] ?? 0;
    if (n < 24) return undefined;
    next = o + 2;
  } else if (info === 25) {
    n = ((b[o + 1] ?? 0) << 8) | (b[o + 2] ?? 0);
    if (n < 0x100) return undefined;
    next = o + 3;
  } else if (info === 26) {
    n =
      (b[o + 1] ?? 0) * 0x100_0000 +
      (((b[o + 2] ?? 0) << 16) | ((b[o + 3] ?? 0) << 8) | (b[o + 4] ?? 0));
    if (n < 0x10000) return undefined;
    next = o + 5;
  } else if (info === 27) {
    let big = 0;
    for (let i = 1; i <= 8; i++) big = big * 256 + (b[o + i] ?? 0);
    // Past 2^53 the sum above rounds; those go to the generic decoder.
    if (big < 0x1_0000_0000 || big > Number.MAX_SAFE_INTEGER - 1) return undefined;
    n = big;
    next = o + 9;
  } else {
    return undefined;
  }
  if (next > b.length) return undefined;
  at = next;
  return major === 1 ? -1 - n : n;
}

function decodeGeneric(bytes: Uint8Array): EntryEnvelope {
  let value: CborValue;
  try {
    value = decodeCbor(bytes, { maxDepth: 1 });
  } catch {
    throw malformed('entry: not deterministic CBOR');
  }
  const f = readArray(value, 'entry', 4);
  const lamport = readUint(f[1], 'entry lamport');
  if (lamport === 0) throw malformed('entry lamport: at least 1');
  return {
    seq: readUint(f[0], 'entry seq'),
    lamport,
    ts: readInt(f[2], 'entry ts'),
    messageId: readMessageId(bytes, f[3]),
  };
}
