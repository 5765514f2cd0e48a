import { ctr, gcm } from '@noble/ciphers/aes.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import type { CHash } from '@noble/hashes/utils.js';
import { bytesEqual, concatBytes } from '../../crypto/bytes.ts';
import { CallError } from '../errors.ts';

/** The SFrame cipher suites of RFC 9605 §4.5 (IANA "SFrame Cipher Suites"). */
export const SframeSuites = {
  AES_128_CTR_HMAC_SHA256_80: 0x0001,
  AES_128_CTR_HMAC_SHA256_64: 0x0002,
  AES_128_CTR_HMAC_SHA256_32: 0x0003,
  AES_128_GCM_SHA256_128: 0x0004,
  AES_256_GCM_SHA512_128: 0x0005,
} as const;

/** The ID of one of the SFrame cipher suites of `SframeSuites`. */
export type SframeSuiteId = (typeof SframeSuites)[keyof typeof SframeSuites];

type Hash = CHash;

/** One suite's constants (RFC 9605 Table 2) and its hash. */
export interface SframeSuite {
  readonly id: SframeSuiteId;
  readonly hash: Hash;
  /** Hash output size. */
  readonly nh: number;
  /** AES key size inside a CTR+HMAC key; 0 for GCM. */
  readonly nka: number;
  /** AEAD key size (for CTR+HMAC: the AES key then the HMAC key). */
  readonly nk: number;
  /** Nonce size. */
  readonly nn: number;
  /** Tag size. */
  readonly nt: number;
}

const SUITES: readonly SframeSuite[] = [
  { id: 0x0001, hash: sha256, nh: 32, nka: 16, nk: 48, nn: 12, nt: 10 },
  { id: 0x0002, hash: sha256, nh: 32, nka: 16, nk: 48, nn: 12, nt: 8 },
  { id: 0x0003, hash: sha256, nh: 32, nka: 16, nk: 48, nn: 12, nt: 4 },
  { id: 0x0004, hash: sha256, nh: 32, nka: 0, nk: 16, nn: 12, nt: 16 },
  { id: 0x0005, hash: sha512, nh: 64, nka: 0, nk: 32, nn: 12, nt: 16 },
];

/** The constants of the SFrame cipher suite `id`; an unknown ID throws `SFRAME_UNKNOWN_SUITE`. */
export function sframeSuite(id: number): SframeSuite {
  const suite = SUITES.find((s) => s.id === id);
  if (suite === undefined) {
    throw new CallError('SFRAME_UNKNOWN_SUITE', `no SFrame cipher suite 0x${id.toString(16)}`);
  }
  return suite;
}

function be64(n: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n));
  return out;
}

/** RFC 9605 §4.5.1: the AES-CTR key stream starts at the nonce followed by a zero 32-bit count. */
function ctrStream(key: Uint8Array, nonce: Uint8Array, data: Uint8Array): Uint8Array {
  const block = new Uint8Array(16);
  block.set(nonce);
  return ctr(key, block).encrypt(data);
}

function ctrTag(
  suite: SframeSuite,
  authKey: Uint8Array,
  nonce: Uint8Array,
  aad: Uint8Array,
  ct: Uint8Array,
): Uint8Array {
  const data = concatBytes(be64(aad.length), be64(ct.length), be64(suite.nt), nonce, aad, ct);
  return hmac(suite.hash, authKey, data).subarray(0, suite.nt);
}

/** AEAD.Encrypt of the suite: ciphertext then tag. */
export function aeadSeal(
  suite: SframeSuite,
  key: Uint8Array,
  nonce: Uint8Array,
  aad: Uint8Array,
  plaintext: Uint8Array,
): Uint8Array {
  if (suite.nka === 0) return gcm(key, nonce, aad).encrypt(plaintext);
  const ct = ctrStream(key.subarray(0, suite.nka), nonce, plaintext);
  return concatBytes(ct, ctrTag(suite, key.subarray(suite.nka), nonce, aad, ct));
}

/** AEAD.Decrypt of the suite: the plaintext, or undefined when the tag does not verify. */
export function aeadOpen(
  suite: SframeSuite,
  key: Uint8Array,
  nonce: Uint8Array,
  aad: Uint8Array,
  sealed: Uint8Array,
): Uint8Array | undefined {
  if (sealed.length < suite.nt) return undefined;
  if (suite.nka === 0) {
    try {
      return gcm(key, nonce, aad).decrypt(sealed);
    } catch {
      return undefined;
    }
  }
  const ct = sealed.subarray(0, sealed.length - suite.nt);
  const tag = sealed.subarray(sealed.length - suite.nt);
  // Encrypt-then-MAC: nothing is deciphered before the tag holds.
  if (!bytesEqual(tag, ctrTag(suite, key.subarray(suite.nka), nonce, aad, ct))) return undefined;
  return ctrStream(key.subarray(0, suite.nka), nonce, ct);
}
