import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MessageId } from '../../src/content/message-id.ts';
import { KithError } from '../../src/errors.ts';
import { decodeEnvelope, encodeEnvelope } from '../../src/timeline/envelope.ts';
import {
  authorOfEncoded,
  decodeSignedUpdate,
  encodeSignedUpdate,
  GENESIS_PREV,
  signedUpdateHash,
  signUpdate,
  verifySignedUpdate,
  withBodies,
} from '../../src/timeline/signed-update.ts';
import { keyOf, ROOM } from './helpers.ts';

const alice = keyOf('alice');
const unsigned = {
  room: ROOM,
  author: alice.publicKey,
  generation: 2,
  seq: 7,
  prev: GENESIS_PREV,
  epoch: 2n ** 63n + 5n,
  update: Uint8Array.of(0, 0),
};

describe('signed updates', () => {
  it('round-trip through deterministic CBOR and verify', () => {
    const signed = signUpdate(unsigned, alice.secretKey);
    const encoded = encodeSignedUpdate(signed);
    const decoded = decodeSignedUpdate(encoded);
    expect(decoded).toEqual(signed);
    expect(encodeSignedUpdate(decoded)).toEqual(encoded);
    expect(verifySignedUpdate(decoded)).toBe(true);
    expect(signedUpdateHash(decoded)).toEqual(signedUpdateHash(encoded));
  });

  it('give up their author without a full decode, with or without bodies', () => {
    const encoded = encodeSignedUpdate(signUpdate(unsigned, alice.secretKey));
    expect(authorOfEncoded(encoded)).toEqual(alice.publicKey);
    expect(authorOfEncoded(withBodies(encoded, [Uint8Array.of(1, 2)]))).toEqual(alice.publicKey);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (junk) => {
        const author = authorOfEncoded(junk);
        if (author !== undefined) expect(author).toHaveLength(32);
      }),
    );
    expect(authorOfEncoded(encoded.subarray(0, 50))).toBeUndefined();
  });

  it('small epochs decode as bigints', () => {
    const signed = signUpdate({ ...unsigned, epoch: 3n }, alice.secretKey);
    expect(decodeSignedUpdate(encodeSignedUpdate(signed)).epoch).toBe(3n);
  });

  it('any change to a signed field breaks the signature', () => {
    const signed = signUpdate(unsigned, alice.secretKey);
    const changes = [
      { seq: 8 },
      { generation: 3 },
      { epoch: 1n },
      { update: Uint8Array.of(0, 1) },
      { prev: new Uint8Array(32).fill(1) },
      { room: new Uint8Array(32) },
      { author: keyOf('mallory').publicKey },
    ];
    for (const change of changes) {
      expect(verifySignedUpdate({ ...signed, ...change })).toBe(false);
    }
  });

  it('decoding random bytes throws only TimelineErrors', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          decodeSignedUpdate(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(KithError);
          expect((error as KithError).name).toBe('TimelineError');
        }
      }),
    );
  });

  it('refuses wrong field sizes', () => {
    const signed = signUpdate(unsigned, alice.secretKey);
    const bad = encodeSignedUpdate({ ...signed, signature: new Uint8Array(63) });
    expect(() => decodeSignedUpdate(bad)).toThrow(/signature/);
  });
});

describe('entry envelopes', () => {
  it('round-trip and refuse a zero lamport', () => {
    const e = {
      seq: 3,
      lamport: 9,
      ts: -5,
      messageId: Uint8Array.of(1, ...new Uint8Array(31)) as MessageId,
    };
    expect(decodeEnvelope(encodeEnvelope(e))).toEqual(e);
    expect(() => decodeEnvelope(encodeEnvelope({ ...e, lamport: 0 }))).toThrow(/lamport/);
    expect(() => decodeEnvelope(Uint8Array.of(0x80))).toThrow(/4 elements/);
  });
});
