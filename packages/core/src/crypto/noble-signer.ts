import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToNumberLE } from '@noble/curves/utils.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { bytesEqual, concatBytes } from './bytes.ts';

interface Expanded {
  /** A copy of the seed it was expanded from: the caller's array may change after. */
  readonly seed: Uint8Array;
  readonly prefix: Uint8Array;
  readonly scalar: bigint;
  readonly publicKey: Uint8Array;
}

const { Fn } = ed25519.Point;

/**
 * RFC 8032 Ed25519 signing with noble's arithmetic, keeping each secret seed's expansion
 * (its hash, scalar and public key) instead of deriving it on every signature as
 * `ed25519.sign` does: that derivation is a constant-time base-point multiplication, half
 * the cost of a signature. Output is byte for byte that of `ed25519.sign` (deterministic).
 * Expansions are held by the seed's array (weakly) and checked against a copy of its bytes.
 */
export class NobleSigner {
  readonly #expanded = new WeakMap<Uint8Array, Expanded>();

  sign(message: Uint8Array, seed: Uint8Array): Uint8Array {
    const { prefix, scalar, publicKey } = this.#expand(seed);
    const r = Fn.create(bytesToNumberLE(sha512(concatBytes(prefix, message))));
    const R = ed25519.Point.BASE.multiply(r).toBytes();
    const k = Fn.create(bytesToNumberLE(sha512(concatBytes(R, publicKey, message))));
    return concatBytes(R, Fn.toBytes(Fn.create(r + k * scalar)));
  }

  getPublicKey(seed: Uint8Array): Uint8Array {
    return Uint8Array.from(this.#expand(seed).publicKey);
  }

  #expand(seed: Uint8Array): Expanded {
    const known = this.#expanded.get(seed);
    if (known !== undefined && bytesEqual(known.seed, seed)) return known;
    const e = ed25519.utils.getExtendedPublicKey(seed);
    const expanded = {
      seed: Uint8Array.from(seed),
      prefix: e.prefix,
      scalar: e.scalar,
      publicKey: e.pointBytes,
    };
    this.#expanded.set(seed, expanded);
    return expanded;
  }
}
