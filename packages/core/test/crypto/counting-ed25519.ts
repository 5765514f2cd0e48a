import { nobleEd25519, type Ed25519Implementation } from '../../src/crypto/ed25519.ts';

/**
 * An asynchronous Ed25519 as a browser's would be (noble underneath, so verdicts are real),
 * counting what each path verified.
 */
export function countingEd25519(): Ed25519Implementation & { sync: number; async: number } {
  const impl = {
    ...nobleEd25519,
    sync: 0,
    async: 0,
    verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
      impl.sync++;
      return nobleEd25519.verify(signature, message, publicKey);
    },
    verifyAsync(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) {
      impl.async++;
      return Promise.resolve(nobleEd25519.verify(signature, message, publicKey));
    },
  };
  return impl;
}
