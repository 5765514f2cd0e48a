import { decodeCbor } from '../cbor/decode.ts';
import { encodeCbor } from '../cbor/encode.ts';
import type { CborValue } from '../cbor/value.ts';
import {
  canPreverify,
  ED25519_PUBLIC_KEY_LENGTH,
  ED25519_SIGNATURE_LENGTH,
  preverifyWithContext,
  signWithContext,
  verifyWithContext,
  type ContextSignature,
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
  /**
   * The MIMI content of the update's log entries, beside the signature and not covered by it
   * (each is checked against the SHA-256 its entry's envelope holds, see bodies.ts). Absent or
   * partial when bodies were purged: the update itself stays valid.
   */
  readonly bodies?: readonly Uint8Array[];
}

/** An update as its author fills it in, before `signUpdate`. */
export type UnsignedUpdate = Omit<SignedUpdate, 'signature' | 'bodies'>;

const CONTEXT = 'kith/update/v1';
export const HASH_LENGTH = 32;
/** The `prev` of an author's first update: 32 zero bytes (no update hashes to it). */
export const GENESIS_PREV: Uint8Array = new Uint8Array(HASH_LENGTH);
/** Envelope bytes around the Yjs update; generous, it only bounds what we try to decode. */
const MAX_FRAMING_BYTES = 512;
/** The Yjs update and, beside it, bodies of at most the same total size (writeMany bounds both). */
export const MAX_SIGNED_UPDATE_BYTES = 2 * TimelineLimits.maxUpdateBytes + MAX_FRAMING_BYTES;
const MAX_BODIES = 4096;
/** CBOR heads of an array of 8 and of 9 items. */
const ARRAY_OF_8 = 0x88;
const ARRAY_OF_9 = 0x89;

function unsignedFields(u: UnsignedUpdate): CborValue[] {
  return [u.room, u.author, u.generation, u.seq, u.prev, u.epoch, u.update];
}

/** Signs an update with the author device's key, so anyone who forwards it cannot change it. */
export function signUpdate(unsigned: UnsignedUpdate, secretKey: Uint8Array): SignedUpdate {
  const signature = signWithContext(secretKey, CONTEXT, encodeCbor(unsignedFields(unsigned)));
  return { ...unsigned, signature };
}

/** False (never a throw) when the signature does not verify under `author`. */
export function verifySignedUpdate(u: SignedUpdate): boolean {
  return verifyWithContext(u.author, CONTEXT, encodeCbor(unsignedFields(u)), u.signature);
}

/**
 * Verifies the signatures of encoded updates about to be received, all at once, where the
 * Ed25519 in use is asynchronous (a browser's WebCrypto): `verifySignedUpdate` then finds the
 * verdicts. Undecodable ones are left to `receive` to refuse.
 */
export async function preverifySignedUpdates(encoded: readonly Uint8Array[]): Promise<void> {
  if (!canPreverify()) return;
  const batch: ContextSignature[] = [];
  for (const bytes of encoded) {
    let u: SignedUpdate;
    try {
      u = decodeSignedUpdate(bytes);
    } catch {
      continue;
    }
    batch.push({
      publicKey: u.author,
      context: CONTEXT,
      message: encodeCbor(unsignedFields(u)),
      signature: u.signature,
    });
  }
  await preverifyWithContext(batch);
}

/**
 * Deterministic CBOR: `[room, author, generation, seq, prev, epoch, update, signature]`, the
 * form that is stored and hashed into chains; bodies are left out (see `withBodies`).
 */
export function encodeSignedUpdate(u: SignedUpdate): Uint8Array {
  return encodeCbor([...unsignedFields(u), u.signature]);
}

/** CBOR head of a 32-byte byte string: major type 2, one-byte length 32. */
const BYTES_32 = [0x58, 0x20] as const;

/**
 * The author key of an encoded update, read where deterministic CBOR puts it (after the array
 * head and the 32-byte room ID) without decoding the rest; undefined if it is not there. For
 * bookkeeping on updates this device holds or forwards, never for judging one.
 */
export function authorOfEncoded(encoded: Uint8Array): Uint8Array | undefined {
  const head = encoded[0];
  if (head !== ARRAY_OF_8 && head !== ARRAY_OF_9) return undefined;
  if (encoded[1] !== BYTES_32[0] || encoded[2] !== BYTES_32[1]) return undefined;
  if (encoded[35] !== BYTES_32[0] || encoded[36] !== BYTES_32[1]) return undefined;
  return encoded.length < 69 ? undefined : encoded.subarray(37, 69);
}

/** An encoded update with `bodies` as a ninth field (none: unchanged), for sending. */
export function withBodies(encoded: Uint8Array, bodies: readonly Uint8Array[]): Uint8Array {
  if (bodies.length === 0 || encoded[0] !== ARRAY_OF_8) return encoded;
  const tail = encodeCbor([...bodies]);
  const out = new Uint8Array(encoded.length + tail.length);
  out.set(encoded);
  out[0] = ARRAY_OF_9;
  out.set(tail, encoded.length);
  return out;
}

/** The 8-field form of an encoded update (the one stored and hashed), without its bodies. */
export function withoutBodies(encoded: Uint8Array): Uint8Array {
  if (encoded[0] !== ARRAY_OF_9) return encoded;
  return encodeSignedUpdate(decodeSignedUpdate(encoded));
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
    value = decodeCbor(bytes, { maxDepth: 3 });
  } catch (error) {
    throw new TimelineError('TIMELINE_MALFORMED', 'signed update: not deterministic CBOR', {
      cause: error,
    });
  }
  const f = readArray(value, 'signed update');
  if (f.length !== 8 && f.length !== 9) throw malformed('signed update: 8 or 9 elements');
  const bodies =
    f[8] === undefined ? undefined : readArray(f[8], 'bodies').map((b) => readBytes(b, 'body'));
  if (bodies !== undefined && bodies.length > MAX_BODIES) throw malformed('too many bodies');
  const u: SignedUpdate = {
    ...(bodies === undefined ? {} : { bodies }),
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
