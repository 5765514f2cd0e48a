import { bytesEqual } from '../../crypto/bytes.ts';
import { CallError } from '../errors.ts';
import { decodeHeader } from './header.ts';
import { SframeReceiver, SframeSender, type SframeRejection } from './sframe-context.ts';
import type { SframeSuite } from './suites.ts';

/** One MLS epoch as SFrame needs it. */
export interface SframeEpochInput {
  readonly epoch: bigint;
  /** MLS-Exporter("SFrame 1.0 Base Key", "", Nk) of the epoch (see `sframeBaseKey`). */
  readonly baseKey: Uint8Array;
  /** Leaf indices of the epoch's members taking part in the call (this device's included). */
  readonly members: readonly number[];
  /** This device's leaf index in the epoch. */
  readonly self: number;
}

/** How an `MlsSframeKeys` is set up: its suite, and optionally epoch bits, grace and context. */
export interface MlsSframeOptions {
  readonly suite: SframeSuite;
  /** E: low bits of the epoch carried in the KID (RFC 9605 §5.2). */
  readonly epochBits?: number;
  /**
   * How long frames of a replaced epoch still decode (ms, the caller's clock): media in
   * flight when the membership changed. Never for a sender the new epoch no longer has.
   */
  readonly graceMs?: number;
  /**
   * The KID's context bits (above index and epoch). A device that starts sending again in an
   * epoch it already sent in, after losing its counter (a restart), must use another context.
   */
  readonly context?: bigint;
}

/** Why an MLS SFrame frame decoded to nothing. */
export type MlsSframeRejection =
  | SframeRejection
  /** Its epoch is not one this device holds (dropped, too old, or not reached yet). */
  | 'stale-epoch'
  /** Its sender is not a member of the call in that epoch, or has left since. */
  | 'not-a-member';

/**
 * A decrypted frame with the epoch and sender leaf index it came from, or why it decoded to
 * nothing.
 */
export type MlsSframeOpenResult =
  | {
      readonly ok: true;
      readonly epoch: bigint;
      readonly sender: number;
      readonly plaintext: Uint8Array;
    }
  | { readonly ok: false; readonly reason: MlsSframeRejection };

interface EpochKeys {
  readonly input: SframeEpochInput;
  readonly members: ReadonlySet<number>;
  readonly receiver: SframeReceiver;
  readonly sender: SframeSender | undefined;
  /** When a newer epoch replaced it (undefined while it is the newest). */
  retiredAt: number | undefined;
}

const INDEX_BITS = 32n;

/**
 * SFrame keys from the MLS key schedule (RFC 9605 §5.2): each epoch's base key comes from the
 * MLS exporter, and each member sends under KID = context << (32 + E) | leaf << E | epoch mod 2^E.
 * A new epoch (a member joined or left) takes over sending at once; the previous one keeps
 * decoding for a grace period, only for senders still in the new epoch. A removed member holds
 * no key of the new epoch, and its frames under the old one are refused.
 */
export class MlsSframeKeys {
  readonly #suite: SframeSuite;
  readonly #e: bigint;
  readonly #graceMs: number;
  readonly #context: bigint;
  /** Newest last. */
  #epochs: EpochKeys[] = [];

  constructor(options: MlsSframeOptions) {
    this.#suite = options.suite;
    this.#e = BigInt(options.epochBits ?? 8);
    this.#graceMs = options.graceMs ?? 5_000;
    this.#context = options.context ?? 0n;
    if (this.#e < 1n || this.#e > 16n || this.#context < 0n || this.#context >= 1n << 16n) {
      throw new CallError('SFRAME_INVALID_ARGUMENT', 'epoch bits 1-16, context below 2^16');
    }
  }

  /** The KID `leaf` sends under in `epoch` (with this instance's context). */
  kidOf(epoch: bigint, leaf: number): bigint {
    if (!Number.isInteger(leaf) || leaf < 0 || BigInt(leaf) >= 1n << INDEX_BITS) {
      throw new CallError('SFRAME_INVALID_ARGUMENT', `leaf index ${leaf} out of range`);
    }
    const low = epoch & ((1n << this.#e) - 1n);
    return (this.#context << (INDEX_BITS + this.#e)) | (BigInt(leaf) << this.#e) | low;
  }

  /**
   * Makes `input` the newest epoch. The same epoch again with the same key changes nothing
   * (the counter goes on); with another key (the group moved to another branch) it replaces
   * it. An older epoch is refused: `false`.
   */
  addEpoch(input: SframeEpochInput, now: number): boolean {
    const newest = this.#epochs.at(-1);
    if (newest !== undefined) {
      if (input.epoch < newest.input.epoch) return false;
      if (input.epoch === newest.input.epoch) {
        if (bytesEqual(input.baseKey, newest.input.baseKey)) return true;
        this.#epochs.pop();
      }
    }
    const low = (epoch: bigint): bigint => epoch & ((1n << this.#e) - 1n);
    // RFC 9605 §5.2: an epoch with the same low bits as a new one goes at once.
    this.#epochs = this.#epochs.filter((k) => low(k.input.epoch) !== low(input.epoch));
    for (const k of this.#epochs) k.retiredAt ??= now;
    const members = new Set(input.members);
    this.#epochs.push({
      input,
      members,
      receiver: new SframeReceiver(this.#suite),
      sender: members.has(input.self)
        ? new SframeSender(this.#suite, this.kidOf(input.epoch, input.self), input.baseKey)
        : undefined,
      retiredAt: undefined,
    });
    this.expire(now);
    return true;
  }

  /** Drops epochs whose grace period is over. */
  expire(now: number): void {
    this.#epochs = this.#epochs.filter(
      (k) => k.retiredAt === undefined || now - k.retiredAt < this.#graceMs,
    );
  }

  /** The epochs this device can still decode, oldest first. */
  get epochs(): bigint[] {
    return this.#epochs.map((k) => k.input.epoch);
  }

  /** Encrypts one frame under this device's KID of the newest epoch. */
  encrypt(plaintext: Uint8Array, metadata?: Uint8Array): Uint8Array {
    const sender = this.#epochs.at(-1)?.sender;
    if (sender === undefined) {
      throw new CallError('SFRAME_NO_SEND_KEY', 'no epoch in which this device is in the call');
    }
    return sender.encrypt(plaintext, metadata);
  }

  /** Decrypts a frame of another member, choosing the epoch by the KID's low bits. */
  decrypt(frame: Uint8Array, metadata: Uint8Array | undefined, now: number): MlsSframeOpenResult {
    this.expire(now);
    const header = decodeHeader(frame);
    if (header === undefined) return { ok: false, reason: 'malformed' };
    const low = header.kid & ((1n << this.#e) - 1n);
    const keys = this.#epochs.find((k) => (k.input.epoch & ((1n << this.#e) - 1n)) === low);
    if (keys === undefined) return { ok: false, reason: 'stale-epoch' };
    const leaf = Number((header.kid >> this.#e) & ((1n << INDEX_BITS) - 1n));
    const newest = this.#epochs.at(-1);
    if (
      !keys.members.has(leaf) ||
      leaf === keys.input.self ||
      (keys !== newest && !(newest?.members.has(leaf) ?? false))
    ) {
      return { ok: false, reason: 'not-a-member' };
    }
    // Keys per sender and context are derived on first use, and kept only once a frame
    // authenticates: forged KIDs cannot make this device hold keys for them.
    const fresh = !keys.receiver.hasKey(header.kid);
    if (fresh) keys.receiver.addKey(header.kid, keys.input.baseKey);
    const opened = keys.receiver.decrypt(frame, metadata);
    if (!opened.ok) {
      if (fresh) keys.receiver.removeKey(header.kid);
      return opened;
    }
    return { ok: true, epoch: keys.input.epoch, sender: leaf, plaintext: opened.plaintext };
  }
}
