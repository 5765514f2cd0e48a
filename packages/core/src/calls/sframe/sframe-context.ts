import { concatBytes } from '../../crypto/bytes.ts';
import { CallError } from '../errors.ts';
import { decodeHeader, encodeHeader } from './header.ts';
import { deriveSframeKey, sframeNonce, type SframeKey } from './key-derivation.ts';
import { ReplayWindow } from './replay-window.ts';
import { aeadOpen, aeadSeal, type SframeSuite } from './suites.ts';

const LAST_CTR = (1n << 64n) - 1n;

/** Why a frame decoded to nothing. Every one is an expected outcome, never an exception. */
export type SframeRejection =
  /** The header is cut short or not minimally encoded, or no room is left for the tag. */
  | 'malformed'
  /** No key for the frame's KID (not a sender this device knows, or an epoch dropped). */
  | 'unknown-key'
  /** The tag does not verify: wrong key, or a bit changed in header, metadata or ciphertext. */
  | 'auth'
  /** The counter was accepted before under this KID, or is too old to tell. */
  | 'replay';

/** A decrypted frame with the KID and counter it came under, or why it decoded to nothing. */
export type SframeOpenResult =
  | {
      readonly ok: true;
      readonly kid: bigint;
      readonly ctr: bigint;
      readonly plaintext: Uint8Array;
    }
  | { readonly ok: false; readonly reason: SframeRejection };

/**
 * Encrypts with one KID's key. Its counter only moves forward, so no (key, nonce) is ever used
 * twice (RFC 9605 §9.1). A sender that outlives its process stores `nextCounter` before
 * sending and starts from there; a new KID starts from 0 with a fresh key.
 */
export class SframeSender {
  readonly #suite: SframeSuite;
  readonly #key: SframeKey;
  #next: bigint;

  constructor(suite: SframeSuite, kid: bigint, baseKey: Uint8Array, firstCounter = 0n) {
    if (firstCounter < 0n || firstCounter > LAST_CTR) {
      throw new CallError('SFRAME_INVALID_ARGUMENT', 'a counter is 64-bit unsigned');
    }
    this.#suite = suite;
    this.#key = deriveSframeKey(suite, kid, baseKey);
    this.#next = firstCounter;
  }

  /** The KID every frame of this sender carries. */
  get kid(): bigint {
    return this.#key.kid;
  }

  /** The counter the next frame takes. */
  get nextCounter(): bigint {
    return this.#next;
  }

  /** One SFrame ciphertext: header, then the sealed frame. `metadata` is authenticated only. */
  encrypt(plaintext: Uint8Array, metadata: Uint8Array = new Uint8Array()): Uint8Array {
    const ctr = this.#next;
    if (ctr > LAST_CTR) {
      throw new CallError('SFRAME_COUNTER_EXHAUSTED', 'every counter of this KID was used');
    }
    this.#next = ctr + 1n;
    const header = encodeHeader(this.#key.kid, ctr);
    const nonce = sframeNonce(this.#key.salt, ctr);
    const sealed = aeadSeal(
      this.#suite,
      this.#key.key,
      nonce,
      concatBytes(header, metadata),
      plaintext,
    );
    return concatBytes(header, sealed);
  }
}

interface ReceiveKey {
  readonly key: SframeKey;
  readonly window: ReplayWindow;
}

/**
 * Decrypts frames of the KIDs it was given keys for, refusing replays per KID. Keys for
 * receiving are never used to send (RFC 9605 §4.4.1): the two are separate classes.
 */
export class SframeReceiver {
  readonly #suite: SframeSuite;
  readonly #keys = new Map<bigint, ReceiveKey>();

  constructor(suite: SframeSuite) {
    this.#suite = suite;
  }

  /** Adds (or replaces, with a fresh replay window) the key of `kid`. */
  addKey(kid: bigint, baseKey: Uint8Array): void {
    this.#keys.set(kid, {
      key: deriveSframeKey(this.#suite, kid, baseKey),
      window: new ReplayWindow(),
    });
  }

  /** Forgets the key of `kid` (and its replay window); its frames then decode to `unknown-key`. */
  removeKey(kid: bigint): void {
    this.#keys.delete(kid);
  }

  /** Whether this receiver holds a key for `kid`. */
  hasKey(kid: bigint): boolean {
    return this.#keys.has(kid);
  }

  /** The frame's plaintext, or why there is none. */
  decrypt(frame: Uint8Array, metadata: Uint8Array = new Uint8Array()): SframeOpenResult {
    const header = decodeHeader(frame);
    if (header === undefined || frame.length < header.length + this.#suite.nt) {
      return { ok: false, reason: 'malformed' };
    }
    const entry = this.#keys.get(header.kid);
    if (entry === undefined) return { ok: false, reason: 'unknown-key' };
    if (!entry.window.fresh(header.ctr)) return { ok: false, reason: 'replay' };
    const aad = concatBytes(frame.subarray(0, header.length), metadata);
    const nonce = sframeNonce(entry.key.salt, header.ctr);
    const plaintext = aeadOpen(
      this.#suite,
      entry.key.key,
      nonce,
      aad,
      frame.subarray(header.length),
    );
    if (plaintext === undefined) return { ok: false, reason: 'auth' };
    // Only an authentic frame moves the window: forged ones cannot push real ones out.
    entry.window.accept(header.ctr);
    return { ok: true, kid: header.kid, ctr: header.ctr, plaintext };
  }
}
