import { decodeCbor } from '../cbor/decode.ts';
import { encodeCbor } from '../cbor/encode.ts';
import type { CborValue } from '../cbor/value.ts';
import { malformed, readArray, readBytes, readInt, readUint } from './cbor-fields.ts';

/**
 * A timeline entry: deterministic CBOR `[seq, lamport, ts, content]`, held in an author's `log:`
 * array as the one-element array `[envelope]` (see `logValueBytes` for why not bare bytes).
 * `seq` ties the entry to the signed update that carried it (so a forked author's entries can be
 * hidden from the fork on), `lamport` orders the timeline the same way on every member, `ts` is
 * the author's clock, for display only.
 */
export interface EntryEnvelope {
  readonly seq: number;
  /** 1 + the highest lamport the author had seen; strictly increasing per author. */
  readonly lamport: number;
  /** Milliseconds since the Unix epoch, by the author's clock. */
  readonly ts: number;
  /** An encoded MIMI content message. */
  readonly content: Uint8Array;
}

export function encodeEnvelope(e: EntryEnvelope): Uint8Array {
  return encodeCbor([e.seq, e.lamport, e.ts, e.content]);
}

/**
 * Throws TimelineError TIMELINE_MALFORMED; the content itself is not checked here. `content`
 * is a view into `bytes` (it is the envelope's last item), not a copy: a timeline of 100k
 * entries keeps each content once, inside the Y.Doc.
 */
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
    content: bytes.subarray(bytes.length - readBytes(f[3], 'entry content').length),
  };
}
