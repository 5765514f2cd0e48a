import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { concatBytes } from '../../src/crypto/bytes.ts';
import { nobleEd25519, verifyWithContext } from '../../src/crypto/ed25519.ts';
import { strictlyEncoded } from '../../src/crypto/ed25519-rule.ts';

const Point = ed25519.Point;
const L = Point.Fn.ORDER;
const SPKI = Buffer.from('302a300506032b6570032100', 'hex');

/** OpenSSL's verdict, as a Node device reaches it. */
function openssl(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    const key = createPublicKey({
      key: Buffer.concat([SPKI, publicKey]),
      format: 'der',
      type: 'spki',
    });
    return nodeVerify(null, message, key, signature);
  } catch {
    return false;
  }
}

function littleEndian(n: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number((n >> BigInt(8 * i)) & 0xffn);
  return out;
}

function scalarOf(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i] ?? 0);
  return n % L;
}

/** A point of order 8: the torsion part of some curve point. */
function eighthTorsionPoint(): InstanceType<typeof Point> {
  for (let i = 1; i < 200; i++) {
    let q;
    try {
      q = Point.fromBytes(sha512(Uint8Array.of(i)).subarray(0, 32), false);
    } catch {
      continue;
    }
    const torsion = q.multiplyUnsafe(L - 1n).add(q); // [L]Q
    if (!torsion.multiplyUnsafe(4n).is0()) return torsion;
  }
  throw new Error('no point of order 8 found');
}

/**
 * What a member with a key of mixed order (its honest key plus a point of order 8) can sign: a
 * signature that passes the cofactored check always, and the cofactorless one only when
 * k = H(R || A || M) is a multiple of 8.
 */
function mixedOrderSignatures(count: number) {
  const a = scalarOf(sha512(Uint8Array.of(7))) || 1n;
  const torsion = eighthTorsionPoint();
  const publicKey = Point.BASE.multiply(a).add(torsion).toBytes();
  return Array.from({ length: count }, (_, i) => {
    const message = Uint8Array.of(i, 1, 2, 3);
    const r = scalarOf(sha512(Uint8Array.of(i, 9))) || 1n;
    const rBytes = Point.BASE.multiply(r).toBytes();
    const k = scalarOf(sha512(concatBytes(rBytes, publicKey, message)));
    const s = (r + k * a) % L;
    const signature = concatBytes(rBytes, littleEndian(s));
    return { message, publicKey, signature, kIsMultipleOf8: k % 8n === 0n };
  });
}

describe("Kith's Ed25519 rule: one verdict on every runtime", () => {
  it('a key of mixed order: noble now says what OpenSSL says, where its default check disagreed', () => {
    const cases = mixedOrderSignatures(48);
    // The attack: noble's own (cofactored) check accepts every one of them.
    expect(cases.every((c) => ed25519.verify(c.signature, c.message, c.publicKey))).toBe(true);
    const kith = cases.map((c) => nobleEd25519.verify(c.signature, c.message, c.publicKey));
    const node = cases.map((c) => openssl(c.signature, c.message, c.publicKey));
    expect(kith).toEqual(node);
    expect(kith).toEqual(cases.map((c) => c.kIsMultipleOf8));
    // Both verdicts occur, so the comparison meant something.
    expect(new Set(kith).size).toBe(2);
  });

  it('refuses S ≥ L, non-canonical points and small-order keys before any implementation is asked', () => {
    const [honest] = mixedOrderSignatures(1);
    if (honest === undefined) throw new Error('no case');
    const s = scalarOf(honest.signature.subarray(32));
    const sPlusL = concatBytes(honest.signature.subarray(0, 32), littleEndian(s + L));
    expect(strictlyEncoded(honest.publicKey, sPlusL)).toBe(false);
    // The identity as a key, R = identity, S = 0: every message "verifies" under noble's default.
    const identity = Point.ZERO.toBytes();
    const trivial = concatBytes(identity, new Uint8Array(32));
    expect(ed25519.verify(trivial, Uint8Array.of(1), identity)).toBe(true);
    expect(strictlyEncoded(identity, trivial)).toBe(false);
    expect(verifyWithContext(identity, 'kith/test/v1', Uint8Array.of(1), trivial)).toBe(false);
    // y ≥ p (here p + 1 encodes the identity again) and x = 0 with the sign bit set.
    const yTooBig = littleEndian(Point.Fp.ORDER + 1n);
    expect(strictlyEncoded(yTooBig, honest.signature)).toBe(false);
    const signedZeroX = Point.ZERO.toBytes();
    signedZeroX[31] = (signedZeroX[31] ?? 0) | 0x80;
    expect(strictlyEncoded(honest.publicKey, concatBytes(signedZeroX, new Uint8Array(32)))).toBe(
      false,
    );
    // A well-formed signature of an honest key passes the encoding rule.
    const seed = new Uint8Array(32).fill(3);
    const key = ed25519.getPublicKey(seed);
    const signature = ed25519.sign(Uint8Array.of(5), seed);
    expect(strictlyEncoded(key, signature)).toBe(true);
    expect(nobleEd25519.verify(signature, Uint8Array.of(5), key)).toBe(true);
    expect(nobleEd25519.verify(signature, Uint8Array.of(6), key)).toBe(false);
  });

  it("honest, tampered and foreign signatures of keys seen again and again: OpenSSL's verdicts", () => {
    // The noble check keeps each key decoded with a table of its multiples: a key seen before
    // must give the same verdicts as a new one.
    const seeds = [1, 2, 3].map((i) => new Uint8Array(32).fill(i));
    const keys = seeds.map((seed) => ed25519.getPublicKey(seed));
    let verdicts = 0;
    for (let round = 0; round < 3; round++) {
      for (const [i, seed] of seeds.entries()) {
        const message = Uint8Array.of(round, i, 7);
        const signature = ed25519.sign(message, seed);
        const flipped = Uint8Array.from(signature);
        flipped[round * 10] = (flipped[round * 10] ?? 0) ^ 1;
        const cases: [Uint8Array, Uint8Array, Uint8Array][] = [
          [signature, message, keys[i] ?? new Uint8Array()],
          [signature, Uint8Array.of(round, i, 8), keys[i] ?? new Uint8Array()],
          [flipped, message, keys[i] ?? new Uint8Array()],
          [signature, message, keys[(i + 1) % keys.length] ?? new Uint8Array()],
        ];
        for (const [sig, msg, key] of cases) {
          const kith = nobleEd25519.verify(sig, msg, key);
          expect(kith).toBe(openssl(sig, msg, key));
          if (kith) verdicts++;
        }
      }
    }
    expect(verdicts).toBe(9);
  });
});
