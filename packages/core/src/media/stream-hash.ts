import { sha256 } from '@noble/hashes/sha2.js';

/** SHA-256 fed piece by piece (a blob is never whole in memory). */
export interface StreamHash {
  /** Hashes the next bytes. */
  update(bytes: Uint8Array): void;
  /** The hash of everything given so far (the hash cannot be updated after). */
  digest(): Uint8Array;
}

const nobleSha256 = (): StreamHash => sha256.create();
let implementation: () => StreamHash = nobleSha256;

/**
 * Installs a faster SHA-256 for blob hashing in the whole process (undefined goes back to
 * @noble/hashes, which runs everywhere but hashes far slower than native code). `KithNode.open`
 * installs Node's.
 */
export function useBlobSha256(replacement: (() => StreamHash) | undefined): void {
  implementation = replacement ?? nobleSha256;
}

/** A fresh SHA-256 from the installed implementation. */
export function blobSha256(): StreamHash {
  return implementation();
}
