import { BlobError } from './errors.ts';

/**
 * AES-GCM with one key, as blob records need it. Async because WebCrypto is; `open` gives
 * undefined when the tag does not verify (an expected outcome, not an exception).
 */
export interface RecordAead {
  /** Encrypts one record; the result carries its 16-byte tag. */
  seal(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array>;
  /** Decrypts one record, or undefined if its tag does not verify. */
  open(nonce: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array): Promise<Uint8Array | undefined>;
}

/** Makes a RecordAead for a key (16 bytes: AES-128-GCM). */
export type AeadFactory = (key: Uint8Array) => Promise<RecordAead>;

/** The slice of WebCrypto used here; core has no DOM types. */
interface SubtleLike {
  importKey(
    format: 'raw',
    key: Uint8Array,
    algorithm: 'AES-GCM',
    extractable: false,
    usages: readonly ('encrypt' | 'decrypt')[],
  ): Promise<unknown>;
  encrypt(
    algorithm: { name: 'AES-GCM'; iv: Uint8Array; additionalData: Uint8Array },
    key: unknown,
    data: Uint8Array,
  ): Promise<ArrayBuffer>;
  decrypt(
    algorithm: { name: 'AES-GCM'; iv: Uint8Array; additionalData: Uint8Array },
    key: unknown,
    data: Uint8Array,
  ): Promise<ArrayBuffer>;
}

/** AES-GCM through `globalThis.crypto.subtle` (Node 20+, every browser in a secure context). */
export const webCryptoAead: AeadFactory = async (key) => {
  const subtle = (globalThis as { crypto?: { subtle?: SubtleLike } }).crypto?.subtle;
  if (subtle === undefined) {
    throw new BlobError('BLOB_NO_CRYPTO', 'this runtime has no WebCrypto (crypto.subtle)');
  }
  if (key.length !== 16 && key.length !== 32) {
    throw new BlobError(
      'BLOB_BAD_PARAMETERS',
      `an AES-GCM key is 16 or 32 bytes, not ${key.length}`,
    );
  }
  const cryptoKey = await subtle.importKey('raw', key, 'AES-GCM', false, ['encrypt', 'decrypt']);
  return {
    async seal(nonce, aad, plaintext) {
      const algorithm = { name: 'AES-GCM', iv: nonce, additionalData: aad } as const;
      return new Uint8Array(await subtle.encrypt(algorithm, cryptoKey, plaintext));
    },
    async open(nonce, aad, ciphertext) {
      const algorithm = { name: 'AES-GCM', iv: nonce, additionalData: aad } as const;
      try {
        return new Uint8Array(await subtle.decrypt(algorithm, cryptoKey, ciphertext));
      } catch {
        // WebCrypto reports a failed tag (OperationError) and nothing else here.
        return undefined;
      }
    },
  };
};
