import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import type { Ed25519Implementation } from '@kith/core';

// DER prefixes of an Ed25519 private key (PKCS #8) and public key (SPKI), before the raw 32 bytes.
const PKCS8 = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI = Buffer.from('302a300506032b6570032100', 'hex');

/**
 * Ed25519 through Node's crypto module (OpenSSL), synchronous, with imported keys cached: what
 * @kith/node will install with `useEd25519`. Here so the benchmarks show both.
 */
export function nodeEd25519(): Ed25519Implementation {
  const privates = new Map<string, KeyObject>();
  const publics = new Map<string, KeyObject>();
  const privateKey = (secret: Uint8Array): KeyObject => {
    const k = Buffer.from(secret).toString('hex');
    let key = privates.get(k);
    if (key === undefined) {
      key = createPrivateKey({ key: Buffer.concat([PKCS8, secret]), format: 'der', type: 'pkcs8' });
      privates.set(k, key);
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
      publics.set(k, key);
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
  };
}
