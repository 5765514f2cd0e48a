import { sha256 } from '@noble/hashes/sha2.js';
import { signingKeyPairFromSecret, type SigningKeyPair } from '../../src/crypto/ed25519.ts';
import type { RandomPort } from '../../src/ports/random.ts';

/** A deterministic RandomPort: SHA-256 of a seed and a counter, so failures replay. */
export function seededRandom(seed: number): RandomPort {
  let counter = 0;
  return {
    bytes(n) {
      const out = new Uint8Array(n);
      for (let offset = 0; offset < n; offset += 32) {
        const block = sha256(Uint8Array.of(seed & 0xff, seed >>> 8, counter & 0xff, counter >>> 8));
        counter++;
        out.set(block.subarray(0, Math.min(32, n - offset)), offset);
      }
      return out;
    },
  };
}

/** A key pair whose 32-byte secret is `fill` repeated (or the given bytes). */
export function keyPair(fill: number): SigningKeyPair {
  return signingKeyPairFromSecret(new Uint8Array(32).fill(fill));
}

/** Every single-byte change of `bytes` (each byte XORed with each of a few masks). */
export function* mutations(bytes: Uint8Array): Generator<Uint8Array> {
  for (let i = 0; i < bytes.length; i++) {
    for (const mask of [0x01, 0x80, 0xff]) {
      const mutated = bytes.slice();
      mutated[i] = (mutated[i] ?? 0) ^ mask;
      yield mutated;
    }
  }
}

/**
 * One change of every byte, the mask cycling through those of `mutations` by position: every
 * byte still changes, at a third of the cost (for inputs whose every change costs a signature
 * check).
 */
export function* byteChanges(bytes: Uint8Array): Generator<Uint8Array> {
  const masks = [0x01, 0x80, 0xff] as const;
  for (let i = 0; i < bytes.length; i++) {
    const mutated = bytes.slice();
    mutated[i] = (mutated[i] ?? 0) ^ (masks[i % masks.length] ?? 0xff);
    yield mutated;
  }
}

/** Runs `f`; returns the thrown value (or undefined if nothing was thrown). */
export function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (error) {
    return error;
  }
  return undefined;
}

export const T0 = 1_750_000_000_000;
