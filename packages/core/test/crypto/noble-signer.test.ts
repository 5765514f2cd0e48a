import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { NobleSigner } from '../../src/crypto/noble-signer.ts';
import { webRandom } from '../../src/ports/random.ts';

describe('signing with a kept seed expansion', () => {
  it('gives the bytes of RFC 8032 signing (noble) for any seed and message', () => {
    const signer = new NobleSigner();
    for (const length of [0, 1, 31, 64, 200, 4096]) {
      const seed = webRandom.bytes(32);
      for (let i = 0; i < 3; i++) {
        const message = webRandom.bytes(length);
        expect(signer.sign(message, seed)).toEqual(ed25519.sign(message, seed));
      }
      expect(signer.getPublicKey(seed)).toEqual(ed25519.getPublicKey(seed));
    }
  });

  it('signs with the seed the array holds now, not the one it was expanded from', () => {
    const signer = new NobleSigner();
    const seed = webRandom.bytes(32);
    const message = Uint8Array.of(7);
    signer.sign(message, seed);
    seed.set(webRandom.bytes(32));
    expect(signer.sign(message, seed)).toEqual(ed25519.sign(message, seed));
    expect(signer.getPublicKey(seed)).toEqual(ed25519.getPublicKey(seed));
  });

  it('refuses a seed that is not 32 bytes', () => {
    expect(() => new NobleSigner().sign(Uint8Array.of(1), new Uint8Array(31))).toThrow();
  });
});
