import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes } from './bytes.ts';
import { utf8 } from './utf8.ts';

export { sha256 };

/**
 * SHA-256 with a domain label, so a hash computed for one purpose can never be replayed as
 * another: H(len(label) || label || data).
 */
export function labeledHash(label: string, ...data: readonly Uint8Array[]): Uint8Array {
  const l = utf8(label);
  return sha256(concatBytes(Uint8Array.of(l.length), l, ...data));
}
