import { describe, expect, it } from 'vitest';
import { decodeCbor } from '../../src/cbor/decode.ts';
import { encodeCbor } from '../../src/cbor/encode.ts';
import type { CborValue } from '../../src/cbor/value.ts';
import { decodeEnvelope, encodeEnvelope, type EntryEnvelope } from '../../src/timeline/envelope.ts';
import type { MessageId } from '../../src/content/message-id.ts';

/** What the envelope's definition accepts, by the generic decoder alone (the reference). */
function reference(bytes: Uint8Array): EntryEnvelope | 'malformed' {
  try {
    const v = decodeCbor(bytes, { maxDepth: 1 });
    if (!Array.isArray(v) || v.length !== 4) return 'malformed';
    const [seq, lamport, ts, id] = v as CborValue[];
    const uint = (x: CborValue): x is number => typeof x === 'number' && x >= 0;
    if (!uint(seq) || !uint(lamport) || lamport === 0 || typeof ts !== 'number') return 'malformed';
    if (!(id instanceof Uint8Array) || id.length !== 32 || id[0] !== 1) return 'malformed';
    return { seq, lamport, ts, messageId: id as MessageId };
  } catch {
    return 'malformed';
  }
}

function decoded(bytes: Uint8Array): EntryEnvelope | 'malformed' {
  try {
    const e = decodeEnvelope(bytes);
    return { ...e, messageId: Uint8Array.from(e.messageId) as MessageId };
  } catch {
    return 'malformed';
  }
}

/** A small deterministic generator (no randomness in tests' verdicts). */
function* numbers(): Generator<number> {
  const edges = [0, 1, 23, 24, 255, 256, 65_535, 65_536, 2 ** 31, 2 ** 32 - 1, 2 ** 32];
  yield* edges;
  yield* [2 ** 40 + 7, Number.MAX_SAFE_INTEGER - 1, Number.MAX_SAFE_INTEGER];
  yield* [-1, -24, -25, -256, -257, -(2 ** 32), -(2 ** 32) - 1, 1_733_000_000_000];
}

describe('entry envelopes', () => {
  const id = Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? 1 : i * 7));

  it('read in place agree with the generic decoder on every integer width', () => {
    for (const n of numbers()) {
      const seq = Math.abs(n);
      const bytes = encodeCbor([seq, seq + 1 > Number.MAX_SAFE_INTEGER ? seq : seq + 1, n, id]);
      expect(decoded(bytes)).toEqual(reference(bytes));
      expect(decoded(bytes)).not.toBe('malformed');
    }
    const e = { seq: 3, lamport: 9, ts: 1_733_000_000_000, messageId: id as MessageId };
    expect(decoded(encodeEnvelope(e))).toEqual(e);
  });

  it('in a longer form than the shortest are refused, as deterministic CBOR requires', () => {
    const tail = [0x01, 0x02, 0x58, 0x20, ...id];
    for (const head of [
      [0x18, 0x05],
      [0x19, 0x00, 0x05],
      [0x1a, 0x00, 0x00, 0x00, 0x05],
      [0x1b, 0, 0, 0, 0, 0, 0, 0, 0x05],
      [0x19, 0x00, 0xff],
      [0x1a, 0x00, 0x00, 0xff, 0xff],
      [0x1b, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff],
    ]) {
      const bytes = Uint8Array.from([0x84, ...head, ...tail]);
      expect(reference(bytes)).toBe('malformed');
      expect(decoded(bytes)).toBe('malformed');
    }
  });

  it('take or refuse every one-byte change exactly as the generic decoder does', () => {
    const base = encodeEnvelope({ seq: 300, lamport: 70_000, ts: -5, messageId: id as MessageId });
    let refused = 0;
    for (let i = 0; i < base.length; i++) {
      for (const b of [
        0x00, 0x01, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x20, 0x38, 0x58, 0x83, 0x84, 0x85, 0xff,
      ]) {
        const bytes = Uint8Array.from(base);
        bytes[i] = b;
        const want = reference(bytes);
        if (want === 'malformed') refused++;
        expect(decoded(bytes)).toEqual(want);
      }
      expect(decoded(base.subarray(0, i))).toEqual(reference(base.subarray(0, i)));
    }
    expect(decoded(Uint8Array.of(...base, 0))).toBe('malformed');
    expect(refused).toBeGreaterThan(0);
  });
});
