import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeCbor } from '../../src/cbor/encode.ts';
import type { MessageId } from '../../src/content/message-id.ts';
import { decodeEnvelope, encodeEnvelope } from '../../src/timeline/envelope.ts';
import {
  authorOfEncoded,
  decodeSignedUpdate,
  encodeSignedUpdate,
  GENESIS_PREV,
  MAX_SIGNED_UPDATE_BYTES,
  signedUpdateHash,
  signUpdate,
  verifySignedUpdate,
  withBodies,
  withoutBodies,
  type SignedUpdate,
} from '../../src/timeline/signed-update.ts';
import { keyOf, ROOM } from './helpers.ts';

const alice = keyOf('alice');
const authors = [alice, keyOf('bob'), keyOf('carol')] as const;

const exactBytes = (length: number) => fc.uint8Array({ minLength: length, maxLength: length });

/** Any update an honest device could sign: every field over its whole range. */
const signedArb: fc.Arbitrary<SignedUpdate> = fc
  .record({
    room: exactBytes(32),
    author: fc.constantFrom(...authors),
    generation: fc.integer({ min: 0, max: 0xffff_ffff }),
    seq: fc.maxSafeNat(),
    prev: exactBytes(32),
    epoch: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
    update: fc.uint8Array({ maxLength: 64 }),
  })
  .map(({ author, ...fields }) =>
    signUpdate({ ...fields, author: author.publicKey }, author.secretKey),
  );

const utf8Bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

const bodiesArb = fc.array(fc.uint8Array({ maxLength: 16 }), { minLength: 1, maxLength: 4 });

/**
 * Decodes `bytes`, or checks the refusal names TIMELINE_MALFORMED. What decodes must be the one
 * encoding of its fields (so no two byte strings carry one update): the 8 signed fields as
 * `encodeSignedUpdate` writes them, then the bodies, if any, as deterministic CBOR.
 */
function decodesCanonicallyOrRefuses(bytes: Uint8Array): SignedUpdate | undefined {
  let u: SignedUpdate;
  try {
    u = decodeSignedUpdate(bytes);
  } catch (error) {
    expect(error).toMatchObject({ name: 'TimelineError', code: 'TIMELINE_MALFORMED' });
    return undefined;
  }
  const signed = encodeSignedUpdate(u);
  if (u.bodies === undefined) {
    expect(bytes).toEqual(signed);
  } else {
    expect(bytes[0]).toBe(0x89);
    expect(bytes.subarray(1, signed.length)).toEqual(signed.subarray(1));
    expect(bytes.subarray(signed.length)).toEqual(encodeCbor([...u.bodies]));
  }
  return u;
}

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

  // A signature and a check per run: a fraction of a second, more on a busy machine.
  it('any valid update round-trips, verifies and names its author', { timeout: 30_000 }, () => {
    fc.assert(
      fc.property(signedArb, (signed) => {
        const encoded = encodeSignedUpdate(signed);
        const decoded = decodeSignedUpdate(encoded);
        expect(decoded).toEqual(signed);
        expect(encodeSignedUpdate(decoded)).toEqual(encoded);
        expect(verifySignedUpdate(decoded)).toBe(true);
        expect(authorOfEncoded(encoded)).toEqual(signed.author);
        expect(signedUpdateHash(decoded)).toEqual(signedUpdateHash(encoded));
      }),
      { numRuns: 30 },
    );
  });

  it(
    'any valid update with bodies round-trips; the bodies are outside the signature',
    {
      timeout: 30_000,
    },
    () => {
      fc.assert(
        fc.property(signedArb, bodiesArb, (signed, bodies) => {
          const encoded = encodeSignedUpdate(signed);
          const sent = withBodies(encoded, bodies);
          const decoded = decodesCanonicallyOrRefuses(sent);
          expect(decoded).toEqual({ ...signed, bodies });
          expect(withoutBodies(sent)).toEqual(encoded);
          expect(authorOfEncoded(sent)).toEqual(signed.author);
          expect(decoded !== undefined && verifySignedUpdate(decoded)).toBe(true);
        }),
        { numRuns: 20 },
      );
    },
  );

  it('random bytes: refused with TIMELINE_MALFORMED, or the one encoding of what they decode to', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        decodesCanonicallyOrRefuses(bytes);
      }),
    );
  });

  // A signature check per decoded change: a few hundred, about a second, more on a busy machine.
  it(
    'every single-byte change: refused, or decoded and no longer verifying unless only bodies changed',
    { timeout: 30_000 },
    () => {
      const signed = signUpdate(unsigned, alice.secretKey);
      const encoded = encodeSignedUpdate(signed);
      const sent = withBodies(encoded, [Uint8Array.of(1, 2, 3), utf8Bytes('a body')]);
      let refused = 0;
      let decoded = 0;
      for (let i = 0; i < sent.length; i++) {
        for (const mask of [0x01, 0x80]) {
          const mutated = sent.slice();
          mutated[i] = (mutated[i] ?? 0) ^ mask;
          const u = decodesCanonicallyOrRefuses(mutated);
          if (u === undefined) {
            refused++;
            continue;
          }
          decoded++;
          // Byte 0 and the signed fields are covered by the signature; the bodies after them are not.
          expect(verifySignedUpdate(u)).toBe(i >= encoded.length);
        }
      }
      // Both outcomes occur: the loop above checked something either way.
      expect(refused).toBeGreaterThan(0);
      expect(decoded).toBeGreaterThan(0);
      for (let n = 0; n < sent.length; n++) {
        expect(decodesCanonicallyOrRefuses(sent.subarray(0, n))).toBeUndefined();
      }
      expect(decodesCanonicallyOrRefuses(Uint8Array.of(...encoded, 0))).toBeUndefined();
    },
  );

  it('refuses wrong field sizes, and oversized input before decoding it', () => {
    const signed = signUpdate(unsigned, alice.secretKey);
    const bad = encodeSignedUpdate({ ...signed, signature: new Uint8Array(63) });
    expect(() => decodeSignedUpdate(bad)).toThrow(
      expect.objectContaining({ code: 'TIMELINE_MALFORMED', message: 'signature: 64 bytes' }),
    );
    expect(() => decodeSignedUpdate(new Uint8Array(MAX_SIGNED_UPDATE_BYTES + 1))).toThrow(
      expect.objectContaining({ code: 'TIMELINE_TOO_LARGE' }),
    );
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
    expect(() => decodeEnvelope(encodeEnvelope({ ...e, lamport: 0 }))).toThrow(
      expect.objectContaining({ code: 'TIMELINE_MALFORMED', message: 'entry lamport: at least 1' }),
    );
    expect(() => decodeEnvelope(Uint8Array.of(0x80))).toThrow(
      expect.objectContaining({
        code: 'TIMELINE_MALFORMED',
        message: expect.stringContaining('4 elements') as string,
      }),
    );
  });
});
