import { decodeCbor } from '../cbor/decode.ts';
import { encodeCbor } from '../cbor/encode.ts';
import type { CborValue } from '../cbor/value.ts';
import {
  ED25519_PUBLIC_KEY_LENGTH,
  ED25519_SIGNATURE_LENGTH,
  signWithContext,
  verifyWithContext,
} from '../crypto/ed25519.ts';
import { labeledHash } from '../crypto/hash.ts';
import { malformed, readArray, readBigUint, readBytes, readUint } from './cbor-fields.ts';
import { TimelineError } from './errors.ts';
import { TimelineLimits } from './limits.ts';

/**
 * One Yjs update as its author signed it. MLS authenticates who transmitted a message, not who
 * wrote what it carries; the author's own signature lets any member forward the update (sync,
 * history for newcomers) without being trusted. `prev` chains an author's updates, so a forked
 * or rewritten history is detectable.
 */
export interface SignedUpdate {
  /** The 32-byte MLS group ID of the room. */
  readonly room: Uint8Array;
  /** The author device's Ed25519 public key. */
  readonly author: Uint8Array;
  /** Selects the author's Yjs client ID (see `yjsClientId`). */
  readonly generation: number;
  /** 0, 1, 2... per author and room. */
  readonly seq: number;
  /** `signedUpdateHash` of the author's update `seq - 1`; 32 zero bytes for seq 0. */
  readonly prev: Uint8Array;
  /** The MLS epoch the author wrote in; membership is checked against it. */
  readonly epoch: bigint;
  /** Yjs update, format v1. */
  readonly update: Uint8Array;
  readonly signature: Uint8Array;
}

export type UnsignedUpdate = Omit<SignedUpdate, 'signature'>;

const CONTEXT = 'kith/update/v1';
export const HASH_LENGTH = 32;
export const GENESIS_PREV: Uint8Array = new Uint8Array(HASH_LENGTH);
/** Envelope bytes around the Yjs update; generous, it only bounds what we try to decode. */
const MAX_FRAMING_BYTES = 512;
export const MAX_SIGNED_UPDATE_BYTES = TimelineLimits.maxUpdateBytes + MAX_FRAMING_BYTES;

function unsignedFields(u: UnsignedUpdate): CborValue[] {
  return [u.room, u.author, u.generation, u.seq, u.prev, u.epoch, u.update];
}

export function signUpdate(unsigned: UnsignedUpdate, secretKey: Uint8Array): SignedUpdate {
  const signature = signWithContext(secretKey, CONTEXT, encodeCbor(unsignedFields(unsigned)));
  return { ...unsigned, signature };
}

/** False (never a throw) when the signature does not verify under `author`. */
export function verifySignedUpdate(u: SignedUpdate): boolean {
  return verifyWithContext(u.author, CONTEXT, encodeCbor(unsignedFields(u)), u.signature);
}

/** Deterministic CBOR: `[room, author, generation, seq, prev, epoch, update, signature]`. */
export function encodeSignedUpdate(u: SignedUpdate): Uint8Array {
  return encodeCbor([...unsignedFields(u), u.signature]);
}

/** The update's identity in chains and fork evidence: a labeled hash of its encoding. */
export function signedUpdateHash(update: SignedUpdate | Uint8Array): Uint8Array {
  const encoded = update instanceof Uint8Array ? update : encodeSignedUpdate(update);
  return labeledHash(CONTEXT, encoded);
}

/** Decodes and shape-checks an encoded update; throws TimelineError TIMELINE_MALFORMED. */
export function decodeSignedUpdate(bytes: Uint8Array): SignedUpdate {
  if (bytes.length > MAX_SIGNED_UPDATE_BYTES) {
    throw new TimelineError('TIMELINE_TOO_LARGE', `signed update of ${bytes.length} bytes`);
  }
  let value: CborValue;
  try {
    value = decodeCbor(bytes, { maxDepth: 2 });
  } catch (error) {
    throw new TimelineError('TIMELINE_MALFORMED', 'signed update: not deterministic CBOR', {
      cause: error,
    });
  }
  const f = readArray(value, 'signed update', 8);
  const u: SignedUpdate = {
    room: readBytes(f[0], 'room'),
    author: readBytes(f[1], 'author'),
    generation: readUint(f[2], 'generation', TimelineLimits.maxGeneration),
    seq: readUint(f[3], 'seq'),
    prev: readBytes(f[4], 'prev'),
    epoch: readBigUint(f[5], 'epoch'),
    update: readBytes(f[6], 'update'),
    signature: readBytes(f[7], 'signature'),
  };
  const problem = shapeProblem(u);
  if (problem !== undefined) throw malformed(problem);
  return u;
}

/**
 * What is wrong with the fields' sizes and ranges, if anything. Objects handed to `receive`
 * come from anywhere, so they get the same checks as decoded bytes.
 */
export function shapeProblem(u: SignedUpdate): string | undefined {
  if (!(u.room instanceof Uint8Array) || u.room.length !== HASH_LENGTH) return 'room: 32 bytes';
  if (!(u.author instanceof Uint8Array) || u.author.length !== ED25519_PUBLIC_KEY_LENGTH) {
    return 'author: a 32-byte public key';
  }
  if (!(u.prev instanceof Uint8Array) || u.prev.length !== HASH_LENGTH) return 'prev: 32 bytes';
  if (!(u.signature instanceof Uint8Array) || u.signature.length !== ED25519_SIGNATURE_LENGTH) {
    return 'signature: 64 bytes';
  }
  if (!(u.update instanceof Uint8Array)) return 'update: bytes';
  if (!isUint(u.generation, TimelineLimits.maxGeneration)) return 'generation out of range';
  if (!isUint(u.seq, Number.MAX_SAFE_INTEGER)) return 'seq out of range';
  if (typeof u.epoch !== 'bigint' || u.epoch < 0n || u.epoch >= 1n << 64n) {
    return 'epoch: an unsigned 64-bit bigint';
  }
  return undefined;
}

function isUint(n: unknown, max: number): boolean {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= max;
}
