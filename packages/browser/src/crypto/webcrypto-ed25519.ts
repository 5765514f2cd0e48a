import { nobleEd25519, toHex, useEd25519, type Ed25519Implementation } from '@kith/core';

/** Imported public keys kept: a device's rooms' members, whose updates it verifies. */
const CACHE_LIMIT = 4096;

/**
 * Ed25519 through the browser's WebCrypto (Chromium 137+, Firefox 129+, Safari 17+), several
 * times faster than JavaScript but asynchronous only. Core verifies the batches of updates it
 * receives or reloads with it ahead of its synchronous checks (`preverifyWithContext`); what
 * stays synchronous (signing, certificates, device lists, mailbox requests) is noble's.
 * Signing stays there too: the device's key is a raw seed that ts-mls also signs with, so a
 * non-extractable CryptoKey would not keep it out of page memory.
 */
export function webCryptoEd25519(subtle: SubtleCrypto = crypto.subtle): Ed25519Implementation {
  const keys = new Map<string, Promise<CryptoKey | undefined>>();
  const publicKey = (raw: Uint8Array): Promise<CryptoKey | undefined> => {
    const id = toHex(raw);
    let key = keys.get(id);
    if (key === undefined) {
      if (keys.size >= CACHE_LIMIT) {
        const oldest = keys.keys().next();
        if (oldest.done !== true) keys.delete(oldest.value);
      }
      // Non-extractable; a point that does not decode is refused here, as a false verdict.
      key = subtle.importKey('raw', copy(raw), 'Ed25519', false, ['verify']).then(
        (k) => k,
        () => undefined,
      );
      keys.set(id, key);
    }
    return key;
  };
  return {
    ...nobleEd25519,
    async verifyAsync(signature, message, raw) {
      const key = await publicKey(raw);
      if (key === undefined) return false;
      try {
        return await subtle.verify('Ed25519', key, copy(signature), copy(message));
      } catch {
        return false;
      }
    },
  };
}

/** Whether this browser's WebCrypto has Ed25519 (older ones throw on import). */
export async function hasWebCryptoEd25519(subtle: SubtleCrypto = crypto.subtle): Promise<boolean> {
  try {
    // The Ed25519 base point's encoding: a valid public key.
    const base = new Uint8Array(32);
    base[0] = 0x58;
    base.fill(0x66, 1);
    await subtle.importKey('raw', base, 'Ed25519', false, ['verify']);
    return true;
  } catch {
    return false;
  }
}

let installed: Promise<boolean> | undefined;

/**
 * Makes @kith/core verify with WebCrypto where the browser has Ed25519 (page-wide, once: every
 * device of the page shares it); false where it has not, and noble stays.
 */
export function installWebCryptoEd25519(): Promise<boolean> {
  installed ??= hasWebCryptoEd25519().then((has) => {
    if (has) useEd25519(webCryptoEd25519());
    return has;
  });
  return installed;
}

/** A fresh ArrayBuffer-backed copy: WebCrypto takes no views over shared memory. */
function copy(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(bytes);
}
