import { ed25519 } from '@noble/curves/ed25519.js';
import { concatBytes } from './bytes.ts';
import { utf8 } from './utf8.ts';
import type { RandomPort } from '../ports/random.ts';

/** An Ed25519 key pair: a 32-byte secret seed (the form ts-mls signs with) and its public key. */
export interface SigningKeyPair {
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

export const ED25519_PUBLIC_KEY_LENGTH = 32;
export const ED25519_SIGNATURE_LENGTH = 64;

/**
 * The Ed25519 implementation Kith signs and verifies with. The default is @noble/curves (pure
 * JavaScript, everywhere); a runtime with a faster synchronous one (Node's crypto module, about
 * ten times faster) installs it with `useEd25519`, once, before opening any client.
 */
export interface Ed25519Implementation {
  /** Signs `message` with the 32-byte secret seed. */
  sign(message: Uint8Array, secretKey: Uint8Array): Uint8Array;
  /** False, never a throw, for anything that does not verify. */
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
  /** The public key of a 32-byte secret seed. */
  getPublicKey(secretKey: Uint8Array): Uint8Array;
}

const noble: Ed25519Implementation = {
  sign: (message, secretKey) => ed25519.sign(message, secretKey),
  verify: (signature, message, publicKey) => {
    try {
      return ed25519.verify(signature, message, publicKey);
    } catch {
      return false;
    }
  },
  getPublicKey: (secretKey) => ed25519.getPublicKey(secretKey),
};

let implementation: Ed25519Implementation = noble;

/**
 * Installs a faster Ed25519 for the whole process (undefined goes back to @noble/curves). Call it
 * before opening any client: `KithNode.open` does, with Node's crypto.
 */
export function useEd25519(replacement: Ed25519Implementation | undefined): void {
  implementation = replacement ?? noble;
}

/** A new Ed25519 key pair from `random` (for a new user, device or linked device). */
export function generateSigningKeyPair(random: RandomPort): SigningKeyPair {
  const secretKey = random.bytes(32);
  return { secretKey, publicKey: implementation.getPublicKey(secretKey) };
}

/** The key pair of a stored 32-byte secret seed. */
export function signingKeyPairFromSecret(secretKey: Uint8Array): SigningKeyPair {
  return { secretKey, publicKey: implementation.getPublicKey(secretKey) };
}

/**
 * Signs `message` under a context label (`kith/<purpose>/v1`), so a signature made for one
 * purpose never verifies for another.
 */
export function signWithContext(
  secretKey: Uint8Array,
  context: string,
  message: Uint8Array,
): Uint8Array {
  return implementation.sign(contextualize(context, message), secretKey);
}

/** False (never a throw) for a wrong signature, a malformed key or a malformed signature. */
export function verifyWithContext(
  publicKey: Uint8Array,
  context: string,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  if (publicKey.length !== ED25519_PUBLIC_KEY_LENGTH) return false;
  if (signature.length !== ED25519_SIGNATURE_LENGTH) return false;
  return implementation.verify(signature, contextualize(context, message), publicKey);
}

function contextualize(context: string, message: Uint8Array): Uint8Array {
  const c = utf8(context);
  return concatBytes(Uint8Array.of(c.length), c, message);
}
