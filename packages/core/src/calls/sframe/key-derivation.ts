import { expand, extract } from '@noble/hashes/hkdf.js';
import { concatBytes } from '../../crypto/bytes.ts';
import { utf8 } from '../../crypto/utf8.ts';
import { CallError } from '../errors.ts';
import { isU64 } from './header.ts';
import type { SframeSuite } from './suites.ts';

/** The key and salt one KID encrypts with (RFC 9605 §4.4.2). */
export interface SframeKey {
  readonly kid: bigint;
  readonly key: Uint8Array;
  readonly salt: Uint8Array;
}

function label(text: string, kid: bigint, suite: SframeSuite): Uint8Array {
  const tail = new Uint8Array(10);
  const view = new DataView(tail.buffer);
  view.setBigUint64(0, kid);
  view.setUint16(8, suite.id);
  return concatBytes(utf8(text), tail);
}

/**
 * sframe_key and sframe_salt of `kid` from its base key: HKDF-Extract with an empty salt, then
 * one HKDF-Expand each, labelled with the KID (8 bytes) and the suite (2 bytes).
 */
export function deriveSframeKey(suite: SframeSuite, kid: bigint, baseKey: Uint8Array): SframeKey {
  if (!isU64(kid)) throw new CallError('SFRAME_INVALID_ARGUMENT', 'a KID is 64-bit unsigned');
  if (baseKey.length === 0) throw new CallError('SFRAME_INVALID_ARGUMENT', 'an empty base key');
  const secret = extract(suite.hash, baseKey, new Uint8Array());
  return {
    kid,
    key: expand(suite.hash, secret, label('SFrame 1.0 Secret key ', kid, suite), suite.nk),
    salt: expand(suite.hash, secret, label('SFrame 1.0 Secret salt ', kid, suite), suite.nn),
  };
}

/** The nonce of one frame: the salt XOR the counter, big-endian, right-aligned. */
export function sframeNonce(salt: Uint8Array, ctr: bigint): Uint8Array {
  const nonce = Uint8Array.from(salt);
  let rest = ctr;
  for (let i = nonce.length - 1; i >= 0 && rest > 0n; i--) {
    nonce[i] = (nonce[i] ?? 0) ^ Number(rest & 0xffn);
    rest >>= 8n;
  }
  return nonce;
}
