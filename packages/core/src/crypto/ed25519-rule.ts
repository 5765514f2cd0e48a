import { ed25519 } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { concatBytes } from './bytes.ts';

/**
 * One Ed25519 verification rule for every device. Ed25519 implementations disagree on crafted
 * signatures: @noble/curves checks the cofactored equation and accepts non-canonical points
 * (ZIP 215), OpenSSL (Node) and BoringSSL (Chromium's WebCrypto) check the cofactorless one.
 * A member whose device key has a small-order component can sign so that the cofactored check
 * passes and the cofactorless one fails, and so split browser devices from Node devices on
 * whether its update is genuine. Kith's rule is RFC 8032's strict one, the same everywhere:
 * - S < L, and R and A canonically encoded (y < p; x = 0 never with the sign bit set);
 * - A not of small order;
 * - [S]B = R + [k]A, cofactorless (what OpenSSL and BoringSSL check).
 * The first two are checked here before any implementation is asked (cheap byte checks, and
 * one cached decoding per key); the noble implementation checks the third itself.
 */

const Point = ed25519.Point;
const L = Point.Fn.ORDER;
const P = Point.Fp.ORDER;

function littleEndian(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i] ?? 0);
  return n;
}

/** A point encoding RFC 8032 would produce: y < p, and no sign bit on a point with x = 0. */
function canonicalPoint(encoding: Uint8Array): boolean {
  const last = encoding[31] ?? 0;
  const y = littleEndian(concatBytes(encoding.subarray(0, 31), Uint8Array.of(last & 0x7f)));
  if (y >= P) return false;
  // x = 0 only on (0, 1) and (0, -1); their encodings with the sign bit set are not canonical.
  return (last & 0x80) === 0 || (y !== 1n && y !== P - 1n);
}

/** Verdicts on whether a public key is a usable point (not of small order), by key. */
const keyVerdicts = new Map<string, boolean>();
const MAX_KEY_VERDICTS = 4096;

function usableKey(publicKey: Uint8Array): boolean {
  const id = String.fromCharCode(...publicKey);
  let usable = keyVerdicts.get(id);
  if (usable === undefined) {
    try {
      usable = !Point.fromBytes(publicKey, false).isSmallOrder();
    } catch {
      usable = false; // not a point
    }
    if (keyVerdicts.size >= MAX_KEY_VERDICTS) keyVerdicts.clear();
    keyVerdicts.set(id, usable);
  }
  return usable;
}

/**
 * Whether a signature and key are in the form every device accepts to verify: the right sizes,
 * S < L, canonical R and A, and A not of small order. False means "does not verify" on every
 * implementation, whatever it would have said.
 */
export function strictlyEncoded(publicKey: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  if (littleEndian(signature.subarray(32)) >= L) return false;
  return (
    canonicalPoint(signature.subarray(0, 32)) && canonicalPoint(publicKey) && usableKey(publicKey)
  );
}

/**
 * Decoded public keys with a table of their multiples (window 4: about 150 kB each), by key: a
 * device verifies the same few authors' keys over and over, and multiplying a point without a
 * table was most of a verification.
 */
const keyPoints = new Map<string, InstanceType<typeof Point>>();
const MAX_KEY_POINTS = 32;
const KEY_WINDOW = 4;

function keyPoint(publicKey: Uint8Array): InstanceType<typeof Point> {
  const id = String.fromCharCode(...publicKey);
  let point = keyPoints.get(id);
  if (point === undefined) {
    point = Point.fromBytes(publicKey, false);
    point.precompute(KEY_WINDOW, false);
    if (keyPoints.size >= MAX_KEY_POINTS) keyPoints.clear();
    keyPoints.set(id, point);
  }
  return point;
}

/**
 * RFC 8032's cofactorless check, [S]B = R + [k]A, on @noble/curves' points (its own `verify`
 * checks the cofactored equation), computed as RFC 8032 §5.1.7 does: [S]B - [k]A encoded must
 * be R's bytes, which spares decoding R (a square root). Callers have checked
 * `strictlyEncoded` (so R's bytes are canonical, and only a point equal to R encodes to them).
 */
export function verifyCofactorless(
  signature: Uint8Array,
  message: Uint8Array,
  publicKey: Uint8Array,
): boolean {
  try {
    const rBytes = signature.subarray(0, 32);
    const A = keyPoint(publicKey);
    const s = littleEndian(signature.subarray(32));
    if (s >= L) return false;
    const k = littleEndian(sha512(concatBytes(rBytes, publicKey, message))) % L;
    // `multiply` (constant time, with the base point's table) refuses 0.
    const sB = s === 0n ? Point.ZERO : Point.BASE.multiply(s);
    const encoded = sB.subtract(A.multiplyUnsafe(k)).toBytes();
    let diff = 0;
    for (let i = 0; i < 32; i++) diff |= (encoded[i] ?? 0) ^ (rBytes[i] ?? 0);
    return diff === 0;
  } catch {
    return false;
  }
}
