import { afterEach, describe, expect, it } from 'vitest';
import {
  generateSigningKeyPair,
  preverifyWithContext,
  signWithContext,
  useEd25519,
  verifyWithContext,
} from '../../src/crypto/ed25519.ts';
import { webRandom } from '../../src/ports/random.ts';
import { countingEd25519 } from './counting-ed25519.ts';

const context = 'kith/test/v1';

describe('verifying a batch ahead with an asynchronous Ed25519', () => {
  afterEach(() => {
    useEd25519(undefined);
  });

  it('hands each verdict once, to the exact key, context, message and signature', async () => {
    const impl = countingEd25519();
    useEd25519(impl);
    const keys = generateSigningKeyPair(webRandom);
    const message = Uint8Array.of(1, 2, 3);
    const signature = signWithContext(keys.secretKey, context, message);
    const forged = Uint8Array.from(signature);
    forged[10] = (forged[10] ?? 0) ^ 1;
    await preverifyWithContext([
      { publicKey: keys.publicKey, context, message, signature },
      { publicKey: keys.publicKey, context, message, signature: forged },
    ]);
    expect(impl.async).toBe(2);
    expect(verifyWithContext(keys.publicKey, context, message, signature)).toBe(true);
    expect(verifyWithContext(keys.publicKey, context, message, forged)).toBe(false);
    expect(impl.sync).toBe(0);
    // Taken once: asked again, it is verified again.
    expect(verifyWithContext(keys.publicKey, context, message, signature)).toBe(true);
    expect(impl.sync).toBe(1);
  });

  it('never lends a verdict to other bytes under the same signature', async () => {
    const impl = countingEd25519();
    useEd25519(impl);
    const keys = generateSigningKeyPair(webRandom);
    const other = generateSigningKeyPair(webRandom);
    const message = Uint8Array.of(1, 2, 3);
    const signature = signWithContext(keys.secretKey, context, message);
    const attempts: [Uint8Array, string, Uint8Array][] = [
      [keys.publicKey, context, Uint8Array.of(1, 2, 4)],
      [keys.publicKey, 'kith/other/v1', message],
      [other.publicKey, context, message],
    ];
    for (const [publicKey, ctx, bytes] of attempts) {
      await preverifyWithContext([{ publicKey: keys.publicKey, context, message, signature }]);
      expect(verifyWithContext(publicKey, ctx, bytes, signature)).toBe(false);
    }
    expect(impl.sync).toBe(attempts.length);
  });

  it('does nothing with a synchronous implementation', async () => {
    const keys = generateSigningKeyPair(webRandom);
    const message = Uint8Array.of(9);
    const signature = signWithContext(keys.secretKey, context, message);
    const forged = Uint8Array.from(signature);
    forged[40] = (forged[40] ?? 0) ^ 1;
    await preverifyWithContext([
      { publicKey: keys.publicKey, context, message, signature: forged },
    ]);
    expect(verifyWithContext(keys.publicKey, context, message, forged)).toBe(false);
    expect(verifyWithContext(keys.publicKey, context, message, signature)).toBe(true);
  });
});
