import { hmac } from '@noble/hashes/hmac.js';
import { expand, extract } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { CiphersuiteImpl, Hash, Kdf, Signature } from 'ts-mls';
import { mlsEd25519 } from '../crypto/ed25519.ts';

/**
 * Below this many bytes SHA-256 in JavaScript beats a WebCrypto call (each one a promise and,
 * in Node, a job on the thread pool): 20 to 60 µs of overhead against about 1 µs per block.
 * Larger inputs (a big commit, a GroupInfo) keep the platform's native digest.
 */
const SYNC_DIGEST_MAX_BYTES = 8192;

/** HKDF-SHA256 computed synchronously (RFC 5869): the same bytes as WebCrypto's. */
const hkdfSha256: Kdf = {
  extract: (salt, ikm) => Promise.resolve(extract(sha256, ikm, salt)),
  expand: (prk, info, len) => Promise.resolve(expand(sha256, prk, info, len)),
  size: 32,
};

/** Equal MACs, compared in time that does not depend on where they differ. */
function macsEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

function hashing(base: Hash): Hash {
  return {
    digest: (data) =>
      data.length <= SYNC_DIGEST_MAX_BYTES ? Promise.resolve(sha256(data)) : base.digest(data),
    mac: (key, data) => Promise.resolve(hmac(sha256, key, data)),
    verifyMac: (key, mac, data) => Promise.resolve(macsEqual(hmac(sha256, key, data), mac)),
  };
}

/**
 * Kith's ciphersuite with its key derivations (HKDF: every message derives its key, nonce and
 * next ratchet secret, and its sender-data key and nonce) and small hashes (tree hashes, MACs)
 * in JavaScript rather than through WebCrypto. ts-mls awaits a WebCrypto import and HMAC for
 * each expansion, which was the largest share of a delivery's MLS work; here each is a few
 * microseconds. The outputs are the same functions' (checked against ts-mls's own in tests).
 */
export function withFastHashing(base: CiphersuiteImpl): CiphersuiteImpl {
  return { ...base, kdf: hkdfSha256, hash: hashing(base.hash) };
}

/** A 32-byte Ed25519 seed: the form Kith's device keys take (ts-mls also takes PKCS #8). */
const SEED_BYTES = 32;

function installedSignature(base: Signature): Signature {
  return {
    sign: (signKey, message) => {
      const ed = mlsEd25519();
      return ed === undefined || signKey.length !== SEED_BYTES
        ? base.sign(signKey, message)
        : Promise.resolve(ed.sign(message, signKey));
    },
    verify: (publicKey, message, signature) => {
      const ed = mlsEd25519();
      return ed === undefined
        ? base.verify(publicKey, message, signature)
        : Promise.resolve(ed.verify(signature, message, publicKey));
    },
    keygen: () => base.keygen(),
  };
}

/**
 * Kith's ciphersuite with MLS signatures through the installed Ed25519 when it reaches
 * WebCrypto's verdicts (`webCryptoVerdicts`: Node's crypto module), looked up at each call:
 * ts-mls imports the key into WebCrypto for every signature and verification. Otherwise ts-mls's
 * own (WebCrypto) is used, as before.
 */
export function withInstalledSignature(base: CiphersuiteImpl): CiphersuiteImpl {
  return { ...base, signature: installedSignature(base.signature) };
}
