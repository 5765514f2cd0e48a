import { Aes128Gcm, CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from '@hpke/core';
import type { CiphersuiteImpl, Hpke } from 'ts-mls';
import type { RandomPort } from '../ports/random.ts';
import { KITH_CIPHERSUITE } from './suite.ts';

/**
 * The part of @hpke/core's CipherSuite used here, typed without WebCrypto's CryptoKey (core
 * compiles without DOM types; keys pass through as ts-mls gives them).
 */
interface Sealer {
  seal(
    params: { recipientPublicKey: unknown; info: Uint8Array; ekm: Uint8Array },
    plaintext: Uint8Array,
    aad: Uint8Array,
  ): Promise<{ ct: ArrayBuffer; enc: ArrayBuffer }>;
  createSenderContext(params: {
    recipientPublicKey: unknown;
    info: Uint8Array;
    ekm: Uint8Array;
  }): Promise<{
    enc: ArrayBuffer;
    export(context: Uint8Array, length: number): Promise<ArrayBuffer>;
  }>;
}

/** X25519 secret key size: the input of an HPKE DeriveKeyPair as large as the key it makes. */
const KEY_SEED_BYTES = 32;

/**
 * Kith's ciphersuite with every random draw of ts-mls taken from the device's random port, so
 * that a device is a function of its ports (the simulator replays a seed byte for byte). ts-mls
 * itself draws from `crypto.getRandomValues` (path secrets, reuse guards, a new group's first
 * epoch secret), and its HPKE draws key pairs from WebCrypto's `generateKey` (key-package keys
 * and the ephemeral key of every seal). Here key pairs come from HPKE's DeriveKeyPair over
 * fresh bytes of the port, as RFC 9180 (§7.1.3) allows for GenerateKeyPair, and seals name
 * their ephemeral key material (`ekm`) the same way. With the platform's CSPRNG as the port
 * (`webRandom`) nothing is weaker than before.
 */
export function ciphersuiteWithRandom(base: CiphersuiteImpl, random: RandomPort): CiphersuiteImpl {
  if (base.name !== KITH_CIPHERSUITE) {
    throw new Error(`ciphersuiteWithRandom supports ${KITH_CIPHERSUITE} only, not ${base.name}`);
  }
  const suite: Sealer = new CipherSuite({
    kem: new DhkemX25519HkdfSha256(),
    kdf: new HkdfSha256(),
    aead: new Aes128Gcm(),
  });
  const hpke: Hpke = {
    ...base.hpke,
    generateKeyPair: () => base.hpke.deriveKeyPair(random.bytes(KEY_SEED_BYTES)),
    async seal(publicKey, plaintext, info, aad) {
      const sealed = await suite.seal(
        { recipientPublicKey: publicKey, info, ekm: random.bytes(KEY_SEED_BYTES) },
        plaintext,
        aad ?? new Uint8Array(),
      );
      return { ct: new Uint8Array(sealed.ct), enc: new Uint8Array(sealed.enc) };
    },
    async exportSecret(publicKey, exporterContext, length, info) {
      const context = await suite.createSenderContext({
        recipientPublicKey: publicKey,
        info,
        ekm: random.bytes(KEY_SEED_BYTES),
      });
      return {
        enc: new Uint8Array(context.enc),
        secret: new Uint8Array(await context.export(exporterContext, length)),
      };
    },
  };
  return { ...base, hpke, rng: { randomBytes: (n) => random.bytes(n) } };
}
