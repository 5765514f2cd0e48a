import * as Y from 'yjs';
import type { SigningKeyPair } from '../crypto/ed25519.ts';
import type { AuthorChain } from './author-chain.ts';
import { encodeEnvelope, type EntryEnvelope } from './envelope.ts';
import { TimelineError } from './errors.ts';
import { TimelineLimits } from './limits.ts';
import type { Replica } from './replica.ts';
import {
  encodeSignedUpdate,
  GENESIS_PREV,
  signedUpdateHash,
  signUpdate,
  type SignedUpdate,
} from './signed-update.ts';

/** Transaction origin of this device's own changes: their Yjs update is what it signs. */
const LOCAL = Symbol('kith/timeline/local');
/** A Yjs v1 update with no structs and an empty delete set. */
const EMPTY_YJS_UPDATE = Uint8Array.of(0, 0);
/** Envelope and Yjs bytes around each entry's content, for the size check before writing. */
const PER_ENTRY_OVERHEAD = 64;

/** A local change as signed: the update, and where its first Yjs item sits. */
export interface LocalCommit {
  readonly signed: SignedUpdate;
  readonly client: number;
  readonly clock: number;
}

/**
 * Turns this device's own changes to the Y.Doc into the next signed update of its chain: each
 * runs in one transaction under the client ID of the device's current generation, and the Yjs
 * update it made is captured and signed.
 */
export class LocalWriter {
  readonly #r: Replica;
  readonly #key: SigningKeyPair;
  readonly #own: AuthorChain;
  #captured: Uint8Array | undefined;

  constructor(r: Replica, key: SigningKeyPair, own: AuthorChain) {
    this.#r = r;
    this.#key = key;
    this.#own = own;
  }

  /**
   * Listens only during a local transaction: Yjs encodes every transaction's update for its
   * 'update' listeners, so one left on would encode each remote update too (a restore of 100k
   * messages, every received one) for nothing.
   */
  readonly #capture = (update: Uint8Array, origin: unknown): void => {
    if (origin === LOCAL) this.#captured = update;
  };

  /** Runs a local change in a transaction and signs the Yjs update it made. */
  commit(change: () => void): LocalCommit {
    const own = this.#own;
    if (own.forkedAt !== undefined) {
      throw new TimelineError('TIMELINE_FORKED', 'this device is forked in this room');
    }
    const cp = this.#r.controlPlane;
    const epoch = cp.currentEpoch();
    if (!cp.isMember(this.#key.publicKey, epoch)) {
      throw new TimelineError('TIMELINE_NOT_MEMBER', `not a member in epoch ${epoch}`);
    }
    const doc = this.#r.doc;
    const generation = own.nextGeneration();
    const client = own.clientId(generation);
    // Yjs picks a new random client ID when it applies a remote update under its own.
    doc.clientID = client;
    const clock = Y.getState(doc.store, client);
    this.#captured = undefined;
    doc.on('update', this.#capture);
    try {
      doc.transact(change, LOCAL);
    } finally {
      doc.off('update', this.#capture);
    }
    const seq = own.links.length;
    const signed = signUpdate(
      {
        room: this.#r.room,
        author: this.#key.publicKey,
        generation,
        seq,
        prev: own.head?.hash ?? GENESIS_PREV,
        epoch,
        update: this.#takeCaptured(),
      },
      this.#key.secretKey,
    );
    const encoded = encodeSignedUpdate(signed);
    const hash = signedUpdateHash(encoded);
    own.links.push({ seq, hash, encoded, epoch, generation, accepted: true });
    return { signed, client, clock };
  }

  /** The Yjs update the last local transaction made (none when it changed nothing). */
  #takeCaptured(): Uint8Array {
    const update = this.#captured ?? EMPTY_YJS_UPDATE;
    this.#captured = undefined;
    return update;
  }
}

/**
 * The entries' envelopes, encoded, once it is sure members would take them: refuses, before
 * anything is written, a content or an envelope too large, or an update too large as a whole.
 */
export function encodeEnvelopes(
  contents: readonly Uint8Array[],
  envelopes: readonly EntryEnvelope[],
): Uint8Array[] {
  let total = 0;
  for (const content of contents) {
    if (content.length > TimelineLimits.maxEntryBytes) {
      throw new TimelineError('TIMELINE_TOO_LARGE', `entry of ${content.length} bytes`);
    }
    total += content.length;
  }
  const encoded = envelopes.map(encodeEnvelope);
  for (const e of encoded) {
    if (e.length > TimelineLimits.maxEntryBytes) {
      throw new TimelineError('TIMELINE_TOO_LARGE', `entry of ${e.length} bytes`);
    }
    total += e.length + PER_ENTRY_OVERHEAD;
  }
  if (total > TimelineLimits.maxUpdateBytes) {
    throw new TimelineError('TIMELINE_TOO_LARGE', `update of about ${total} bytes`);
  }
  return encoded;
}
