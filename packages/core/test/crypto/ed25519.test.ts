import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  generateSigningKeyPair,
  signWithContext,
  useEd25519,
  verifyWithContext,
} from '../../src/crypto/ed25519.ts';
import { webRandom } from '../../src/ports/random.ts';

const PKCS8 = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI = Buffer.from('302a300506032b6570032100', 'hex');

/** Node's Ed25519, the kind of implementation a runtime installs with useEd25519. */
const node = {
  sign: (m: Uint8Array, s: Uint8Array) =>
    new Uint8Array(
      sign(
        null,
        m,
        createPrivateKey({ key: Buffer.concat([PKCS8, s]), format: 'der', type: 'pkcs8' }),
      ),
    ),
  verify: (sig: Uint8Array, m: Uint8Array, p: Uint8Array) =>
    verify(
      null,
      m,
      createPublicKey({ key: Buffer.concat([SPKI, p]), format: 'der', type: 'spki' }),
      sig,
    ),
  getPublicKey: (s: Uint8Array) => {
    const der = createPublicKey(
      createPrivateKey({ key: Buffer.concat([PKCS8, s]), format: 'der', type: 'pkcs8' }),
    );
    return new Uint8Array(der.export({ format: 'der', type: 'spki' }).subarray(SPKI.length));
  },
};

describe('a replacement Ed25519 implementation', () => {
  afterEach(() => {
    useEd25519(undefined);
  });

  it('produces keys and signatures the default one accepts, and the other way round', () => {
    const message = Uint8Array.of(1, 2, 3);
    const keys = generateSigningKeyPair(webRandom);
    const byNoble = signWithContext(keys.secretKey, 'kith/test/v1', message);
    useEd25519(node);
    expect(generateSigningKeyPair({ bytes: () => keys.secretKey }).publicKey).toEqual(
      keys.publicKey,
    );
    expect(verifyWithContext(keys.publicKey, 'kith/test/v1', message, byNoble)).toBe(true);
    const byNode = signWithContext(keys.secretKey, 'kith/test/v1', message);
    expect(byNode).toEqual(byNoble); // Ed25519 signatures are deterministic
    expect(verifyWithContext(keys.publicKey, 'kith/other/v1', message, byNode)).toBe(false);
    useEd25519(undefined);
    expect(verifyWithContext(keys.publicKey, 'kith/test/v1', message, byNode)).toBe(true);
  });
});
