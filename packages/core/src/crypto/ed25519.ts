import { concatBytes } from './bytes.ts';
import { strictlyEncoded, verifyCofactorless } from './ed25519-rule.ts';
import { utf8 } from './utf8.ts';
import type { RandomPort } from '../ports/random.ts';
import { NobleSigner } from './noble-signer.ts';
import { VerdictCache } from './verdict-cache.ts';

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
  /**
   * A faster asynchronous verification (WebCrypto in a browser, where nothing fast is
   * synchronous). Where present, the hot paths verify their batches with it ahead of the
   * synchronous checks (`preverifyWithContext`), which then find the verdicts.
   */
  readonly verifyAsync?: (
    signature: Uint8Array,
    message: Uint8Array,
    publicKey: Uint8Array,
  ) => Promise<boolean>;
  /**
   * True when it reaches the verdicts of the platform's WebCrypto (Node's crypto module is the
   * same OpenSSL), which ts-mls verifies MLS signatures with: then MLS signing and verification
   * go through it too, sparing a WebCrypto key import and round trip per signature.
   */
  readonly webCryptoVerdicts?: boolean;
}

/** A signature to verify ahead of time, as `verifyWithContext` will be asked about it. */
export interface ContextSignature {
  readonly publicKey: Uint8Array;
  readonly context: string;
  readonly message: Uint8Array;
  readonly signature: Uint8Array;
}

const signer = new NobleSigner();

/** The default: @noble/curves, synchronous, in pure JavaScript. */
export const nobleEd25519: Ed25519Implementation = {
  sign: (message, secretKey) => signer.sign(message, secretKey),
  // Kith's strict rule (ed25519-rule.ts), not noble's default ZIP 215 one: the same verdicts
  // as Node's OpenSSL and Chromium's WebCrypto.
  verify: (signature, message, publicKey) =>
    strictlyEncoded(publicKey, signature) && verifyCofactorless(signature, message, publicKey),
  getPublicKey: (secretKey) => signer.getPublicKey(secretKey),
};

let implementation: Ed25519Implementation = nobleEd25519;
/** Verdicts of `preverifyWithContext`, waiting for their synchronous check. */
let verdicts = new VerdictCache();

/**
 * Installs a faster Ed25519 for the whole process (undefined goes back to @noble/curves). Call it
 * before opening any client: `KithNode.open` does, with Node's crypto.
 */
export function useEd25519(replacement: Ed25519Implementation | undefined): void {
  implementation = replacement ?? nobleEd25519;
  verdicts = new VerdictCache();
}

/** The installed implementation if MLS signatures may use it (`webCryptoVerdicts`). */
export function mlsEd25519(): Ed25519Implementation | undefined {
  return implementation.webCryptoVerdicts === true ? implementation : undefined;
}

/** Whether `preverifyWithContext` does anything (the installed implementation is asynchronous). */
export function canPreverify(): boolean {
  return implementation.verifyAsync !== undefined;
}

/**
 * Verifies a batch concurrently with the implementation's asynchronous verification, so the
 * `verifyWithContext` calls that follow on the same bytes take the verdicts instead of
 * verifying again synchronously. Nothing is trusted that was not verified: a verdict applies
 * only to the exact key, context, message and signature it was reached on. Without an
 * asynchronous implementation it does nothing (Node's synchronous one is fast already).
 */
export async function preverifyWithContext(batch: readonly ContextSignature[]): Promise<void> {
  const verifyAsync = implementation.verifyAsync;
  if (verifyAsync === undefined) return;
  const cache = verdicts;
  await Promise.all(
    batch.slice(0, VerdictCache.limit).map(async (item) => {
      if (!wellFormed(item.publicKey, item.signature)) return;
      const message = contextualize(item.context, item.message);
      let valid: boolean;
      try {
        valid = await verifyAsync(item.signature, message, item.publicKey);
      } catch {
        valid = false;
      }
      cache.record(item.signature, message, item.publicKey, valid);
    }),
  );
}

/** Sizes, and Kith's strict encoding rule: what fails it verifies nowhere (ed25519-rule.ts). */
function wellFormed(publicKey: Uint8Array, signature: Uint8Array): boolean {
  return (
    publicKey.length === ED25519_PUBLIC_KEY_LENGTH &&
    signature.length === ED25519_SIGNATURE_LENGTH &&
    strictlyEncoded(publicKey, signature)
  );
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
  if (!wellFormed(publicKey, signature)) return false;
  const contextualized = contextualize(context, message);
  return (
    verdicts.take(signature, contextualized, publicKey) ??
    implementation.verify(signature, contextualized, publicKey)
  );
}

function contextualize(context: string, message: Uint8Array): Uint8Array {
  const c = utf8(context);
  return concatBytes(Uint8Array.of(c.length), c, message);
}
