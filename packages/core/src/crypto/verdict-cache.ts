import { bytesEqual, toHex } from './bytes.ts';

interface Verdict {
  readonly publicKey: Uint8Array;
  readonly message: Uint8Array;
  readonly valid: boolean;
}

/** Verdicts waiting at most: a batch is consumed right after it is verified. */
const LIMIT = 4096;

/**
 * Verdicts of signatures verified ahead of time by an asynchronous Ed25519 (WebCrypto), for
 * the synchronous check that follows. A verdict is handed out only for the exact signature,
 * message and key bytes it was reached on, and only once; anything else is verified again.
 */
export class VerdictCache {
  readonly #verdicts = new Map<string, Verdict>();

  /** Keyed by signature; a later verdict on the same signature replaces the earlier one. */
  record(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array, valid: boolean): void {
    if (this.#verdicts.size >= LIMIT) {
      const oldest = this.#verdicts.keys().next();
      if (oldest.done !== true) this.#verdicts.delete(oldest.value);
    }
    // Copies: a verdict holds for the bytes it was reached on, even if a caller reuses a buffer.
    this.#verdicts.set(toHex(signature), {
      publicKey: publicKey.slice(),
      message: message.slice(),
      valid,
    });
  }

  /** The recorded verdict for these bytes (and forgets it), or undefined. */
  take(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean | undefined {
    if (this.#verdicts.size === 0) return undefined;
    const key = toHex(signature);
    const verdict = this.#verdicts.get(key);
    if (verdict === undefined) return undefined;
    this.#verdicts.delete(key);
    if (!bytesEqual(verdict.publicKey, publicKey) || !bytesEqual(verdict.message, message)) {
      return undefined;
    }
    return verdict.valid;
  }

  /** How many verdicts wait (for tests). */
  get size(): number {
    return this.#verdicts.size;
  }

  static readonly limit = LIMIT;
}
