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
