import { ED25519_PUBLIC_KEY_LENGTH } from '../crypto/ed25519.ts';
import { labeledHash } from '../crypto/hash.ts';
import { utf8 } from '../crypto/utf8.ts';
import { IdentityError } from './errors.ts';
import { userIdFromPublicKey } from './user-id.ts';

const LABEL = 'kith/safety-number/v1';
/**
 * Iterations of the hash per fingerprint. They slow down a search for a second key with the
 * same fingerprint; Signal uses 5200 of SHA-512, 1024 keep computing two numbers well under
 * a few milliseconds while adding ten bits of work.
 */
const ITERATIONS = 1024;
const CHUNKS = 6;
const CHUNK_BYTES = 5;

/**
 * The number two users compare (read aloud or side by side) to check that each has the other's
 * real identity key: 60 digits in 12 groups of 5, the same whichever user computes it.
 * Signal's scheme: each user's 30-digit fingerprint, the lower one first.
 */
export function safetyNumber(userPublicKeyA: Uint8Array, userPublicKeyB: Uint8Array): string {
  const fingerprints = [fingerprint(userPublicKeyA), fingerprint(userPublicKeyB)].sort();
  const digits = fingerprints.join('');
  return (digits.match(/\d{5}/g) ?? []).join(' ');
}

/** 30 digits: five per 5-byte chunk of an iterated hash of the key and the user ID. */
function fingerprint(userPublicKey: Uint8Array): string {
  if (userPublicKey.length !== ED25519_PUBLIC_KEY_LENGTH) {
    throw new IdentityError(
      'IDENTITY_INVALID_KEY',
      `a user public key is ${ED25519_PUBLIC_KEY_LENGTH} bytes`,
    );
  }
  let hash = labeledHash(LABEL, userPublicKey, utf8(userIdFromPublicKey(userPublicKey)));
  for (let i = 1; i < ITERATIONS; i++) hash = labeledHash(LABEL, hash, userPublicKey);
  let digits = '';
  for (let chunk = 0; chunk < CHUNKS; chunk++) {
    let value = 0;
    // 40 bits fit a double exactly.
    for (let i = 0; i < CHUNK_BYTES; i++)
      value = value * 256 + (hash[chunk * CHUNK_BYTES + i] ?? 0);
    digits += String(value % 100000).padStart(5, '0');
  }
  return digits;
}
