import {
  createHash,
  createPrivateKey,
  createPublicKey,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { useBlobSha256, useEd25519, type Ed25519Implementation } from '@kith/core';

// DER prefixes of an Ed25519 private key (PKCS #8) and public key (SPKI), before the raw 32 bytes.
const PKCS8 = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI = Buffer.from('302a300506032b6570032100', 'hex');

/** Imported keys kept: a device's own key plus the members of its busiest rooms. */
const CACHE_LIMIT = 4096;

/** A map that forgets its oldest entry once full: key import is the cost being saved. */
function boundedSet<V>(map: Map<string, V>, key: string, value: V): void {
  if (map.size >= CACHE_LIMIT) {
    const oldest = map.keys().next();
    if (oldest.done !== true) map.delete(oldest.value);
  }
  map.set(key, value);
}

/**
 * Ed25519 through Node's crypto module (OpenSSL), synchronous, with imported keys cached. About
 * twice as fast as the portable implementation for verifying, which dominates receiving;
 * `installNodeCrypto` puts it in place.
 */
export function nodeEd25519(): Ed25519Implementation {
  const privates = new Map<string, KeyObject>();
  const publics = new Map<string, KeyObject>();
  const privateKey = (secret: Uint8Array): KeyObject => {
    const k = Buffer.from(secret).toString('hex');
    let key = privates.get(k);
    if (key === undefined) {
      key = createPrivateKey({ key: Buffer.concat([PKCS8, secret]), format: 'der', type: 'pkcs8' });
      boundedSet(privates, k, key);
    }
    return key;
  };
  const publicKey = (raw: Uint8Array): KeyObject | undefined => {
    const k = Buffer.from(raw).toString('hex');
    let key = publics.get(k);
    if (key === undefined) {
      try {
        key = createPublicKey({ key: Buffer.concat([SPKI, raw]), format: 'der', type: 'spki' });
      } catch {
        return undefined;
      }
      boundedSet(publics, k, key);
    }
    return key;
  };
  return {
    sign: (message, secret) => new Uint8Array(sign(null, message, privateKey(secret))),
    verify: (signature, message, raw) => {
      const key = publicKey(raw);
      if (key === undefined) return false;
      try {
        return verify(null, message, key, signature);
      } catch {
        return false;
      }
    },
    getPublicKey: (secret) => {
      const der = createPublicKey(privateKey(secret)).export({ format: 'der', type: 'spki' });
      return new Uint8Array(der.subarray(SPKI.length));
    },
    // The OpenSSL behind Node's WebCrypto: ts-mls's MLS signatures may use it as well.
    webCryptoVerdicts: true,
  };
}

/** Makes @kith/core sign, verify and hash blobs with Node's crypto (process-wide). */
export function installNodeCrypto(): void {
  useEd25519(nodeEd25519());
  useBlobSha256(() => {
    const hash = createHash('sha256');
    return {
      update: (bytes) => void hash.update(bytes),
      digest: () => new Uint8Array(hash.digest()),
    };
  });
}
