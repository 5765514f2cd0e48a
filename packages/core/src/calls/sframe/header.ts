/**
 * The SFrame header (RFC 9605 §4.3): a config byte `X|K(3)|Y|C(3)` then the KID and the CTR as
 * big-endian unsigned integers of 1 to 8 bytes. A value below 8 sits in the config byte
 * itself; a longer one must use the fewest bytes, which decoding checks too, so one (KID, CTR)
 * has exactly one header and a frame cannot be re-labelled with an equivalent one.
 */

const MAX_U64 = (1n << 64n) - 1n;

interface SframeHeader {
  readonly kid: bigint;
  readonly ctr: bigint;
}

/** A decoded header and how many bytes of the frame it took. */
export interface ParsedHeader extends SframeHeader {
  readonly length: number;
}

function byteLength(value: bigint): number {
  let n = 1;
  while (value >> BigInt(8 * n) !== 0n) n++;
  return n;
}

function writeUint(out: Uint8Array, at: number, value: bigint, length: number): void {
  for (let i = length - 1; i >= 0; i--) {
    out[at + i] = Number(value & 0xffn);
    value >>= 8n;
  }
}

/** Whether `v` fits the header's unsigned 64-bit fields. */
export function isU64(v: bigint): boolean {
  return v >= 0n && v <= MAX_U64;
}

/** Encodes a header; the caller checks both values are unsigned 64-bit integers. */
export function encodeHeader(kid: bigint, ctr: bigint): Uint8Array {
  if (!isU64(kid) || !isU64(ctr)) throw new RangeError('SFrame KID and CTR are 64-bit unsigned');
  const kLen = kid < 8n ? 0 : byteLength(kid);
  const cLen = ctr < 8n ? 0 : byteLength(ctr);
  const out = new Uint8Array(1 + kLen + cLen);
  const k = kLen === 0 ? Number(kid) : 0x8 | (kLen - 1);
  const c = cLen === 0 ? Number(ctr) : 0x8 | (cLen - 1);
  out[0] = (k << 4) | c;
  if (kLen > 0) writeUint(out, 1, kid, kLen);
  if (cLen > 0) writeUint(out, 1 + kLen, ctr, cLen);
  return out;
}

/** Reads `length` bytes as a minimal big-endian integer >= 8, or undefined. */
function readExtended(frame: Uint8Array, at: number, length: number): bigint | undefined {
  if (at + length > frame.length) return undefined;
  let value = 0n;
  for (let i = 0; i < length; i++) value = (value << 8n) | BigInt(frame[at + i] ?? 0);
  // Non-minimal: a leading zero byte, or a value the config byte could have held.
  if ((length > 1 && frame[at] === 0) || value < 8n) return undefined;
  return value;
}

/** Decodes the header at the start of `frame`; undefined when it is cut short or not minimal. */
export function decodeHeader(frame: Uint8Array): ParsedHeader | undefined {
  const config = frame[0];
  if (config === undefined) return undefined;
  const k = config >> 4;
  const c = config & 0x0f;
  let at = 1;
  let kid = BigInt(k & 0x7);
  if (k & 0x8) {
    const len = (k & 0x7) + 1;
    const v = readExtended(frame, at, len);
    if (v === undefined) return undefined;
    kid = v;
    at += len;
  }
  let ctr = BigInt(c & 0x7);
  if (c & 0x8) {
    const len = (c & 0x7) + 1;
    const v = readExtended(frame, at, len);
    if (v === undefined) return undefined;
    ctr = v;
    at += len;
  }
  return { kid, ctr, length: at };
}
