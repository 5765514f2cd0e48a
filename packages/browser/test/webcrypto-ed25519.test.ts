import { afterAll, describe, expect, it } from 'vitest';
import {
  generateSigningKeyPair,
  nobleEd25519,
  preverifyWithContext,
  signWithContext,
  useEd25519,
  verifyWithContext,
  webRandom,
} from '@kith/core';
import { hasWebCryptoEd25519, webCryptoEd25519 } from '../src/index.ts';

const webCrypto = webCryptoEd25519();
const verifyAsync = webCrypto.verifyAsync;
if (verifyAsync === undefined)
  throw new Error('the WebCrypto implementation verifies asynchronously');

/** The group order L, for a signature whose S is not reduced (S + L). */
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

function withUnreducedS(signature: Uint8Array): Uint8Array {
  let s = 0n;
  for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(signature[i] ?? 0);
  s += L;
  const out = Uint8Array.from(signature);
  for (let i = 32; i < 64; i++) {
    out[i] = Number(s & 0xffn);
    s >>= 8n;
  }
  return out;
}

function flipped(bytes: Uint8Array, index: number): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[index] = (out[index] ?? 0) ^ 1;
  return out;
}

const P = 2n ** 255n - 19n;

function power(base: bigint, exponent: bigint): bigint {
  let result = 1n;
  let b = base % P;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if ((e & 1n) === 1n) result = (result * b) % P;
    b = (b * b) % P;
  }
  return result;
}

/**
 * 32 bytes that are no point of the curve: the first y from 2 up for which x² = (y² - 1) /
 * (d·y² + 1) has no square root (Euler's criterion).
 */
function notAPoint(): Uint8Array {
  const d = (P - ((121665n * power(121666n, P - 2n)) % P)) % P;
  for (let y = 2n; ; y++) {
    const x2 = ((y * y - 1n) * power(d * y * y + 1n, P - 2n)) % P;
    if (power(x2, (P - 1n) / 2n) === P - 1n) {
      const bytes = new Uint8Array(32);
      bytes[0] = Number(y);
      return bytes;
    }
  }
}

describe('Ed25519 through WebCrypto, against noble on the same inputs', () => {
  afterAll(() => {
    useEd25519(undefined);
  });

  it('this Chromium has Ed25519 in WebCrypto', async () => {
    expect(await hasWebCryptoEd25519()).toBe(true);
  });

  it('accepts what noble signed and refuses forgeries, wrong keys and malformed input as noble does', async () => {
    const keys = generateSigningKeyPair(webRandom);
    const other = generateSigningKeyPair(webRandom);
    const cases: [string, Uint8Array, Uint8Array, Uint8Array, boolean][] = [];
    for (const length of [0, 1, 100, 4096]) {
      const message = webRandom.bytes(length);
      const signature = nobleEd25519.sign(message, keys.secretKey);
      cases.push(
        [`valid, ${length} bytes`, signature, message, keys.publicKey, true],
        [`R flipped, ${length}`, flipped(signature, 3), message, keys.publicKey, false],
        [`S flipped, ${length}`, flipped(signature, 40), message, keys.publicKey, false],
        [`S + L, ${length}`, withUnreducedS(signature), message, keys.publicKey, false],
        [`wrong key, ${length}`, signature, message, other.publicKey, false],
        [`key not a point, ${length}`, signature, message, notAPoint(), false],
      );
      if (length > 0) {
        cases.push([
          `message changed, ${length}`,
          signature,
          flipped(message, 0),
          keys.publicKey,
          false,
        ]);
      }
    }
    for (const [name, signature, message, publicKey, expected] of cases) {
      const byNoble = nobleEd25519.verify(signature, message, publicKey);
      const byWebCrypto = await verifyAsync(signature, message, publicKey);
      expect({ name, byNoble, byWebCrypto }).toEqual({
        name,
        byNoble: expected,
        byWebCrypto: expected,
      });
    }
  });

  it('gives core verdicts through preverification that match the synchronous ones', async () => {
    useEd25519(webCrypto);
    const keys = generateSigningKeyPair(webRandom);
    const context = 'kith/test/v1';
    const messages = [1, 2, 3, 4].map((n) => webRandom.bytes(n * 50));
    const signatures = messages.map((m) => signWithContext(keys.secretKey, context, m));
    const forged = flipped(signatures[1] ?? new Uint8Array(64), 50);
    const other = generateSigningKeyPair(webRandom).publicKey;
    const batch = [
      {
        publicKey: keys.publicKey,
        context,
        message: messages[0] ?? new Uint8Array(),
        signature: signatures[0] ?? new Uint8Array(),
      },
      {
        publicKey: keys.publicKey,
        context,
        message: messages[1] ?? new Uint8Array(),
        signature: forged,
      },
      {
        publicKey: other,
        context,
        message: messages[2] ?? new Uint8Array(),
        signature: signatures[2] ?? new Uint8Array(),
      },
      {
        publicKey: keys.publicKey,
        context: 'kith/other/v1',
        message: messages[3] ?? new Uint8Array(),
        signature: signatures[3] ?? new Uint8Array(),
      },
    ];
    await preverifyWithContext(batch);
    const verdicts = batch.map((b) =>
      verifyWithContext(b.publicKey, b.context, b.message, b.signature),
    );
    expect(verdicts).toEqual([true, false, false, false]);
    // A signature from the batch, asked about with other bytes, is verified again and refused.
    await preverifyWithContext(batch.slice(0, 1));
    expect(
      verifyWithContext(
        keys.publicKey,
        context,
        messages[1] ?? new Uint8Array(),
        signatures[0] ?? new Uint8Array(),
      ),
    ).toBe(false);
  });
});
