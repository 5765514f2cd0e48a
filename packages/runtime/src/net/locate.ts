import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import { decodeCbor, encodeCbor, type CborValue } from '@kith/core';

/**
 * The locate protocol (docs/PROTOCOL.md §10.3): "where can I reach these devices?", asked of a
 * fellow member. Request `[1, [devicePublicKey...]]`; response `[1, [[devicePublicKey,
 * [multiaddr bytes...]]...]]`. The answerer names only devices that share a room with both of
 * them, so it reveals nothing the asker's own group state does not already name.
 */
const VERSION = 1;
const MAX_LOCATE_KEYS = 256;
const MAX_ADDRESSES = 8;

export function encodeLocateRequest(keys: readonly Uint8Array[]): Uint8Array {
  return encodeCbor([VERSION, keys.slice(0, MAX_LOCATE_KEYS)]);
}

export function decodeLocateRequest(bytes: Uint8Array): Uint8Array[] | undefined {
  const value = safeDecode(bytes);
  if (!Array.isArray(value) || value[0] !== VERSION || !Array.isArray(value[1])) return undefined;
  const keys = value[1].filter((k): k is Uint8Array => k instanceof Uint8Array && k.length === 32);
  return keys.length === value[1].length && keys.length <= MAX_LOCATE_KEYS ? keys : undefined;
}

export interface Located {
  readonly publicKey: Uint8Array;
  readonly addresses: readonly Multiaddr[];
}

export function encodeLocateResponse(found: readonly Located[]): Uint8Array {
  return encodeCbor([
    VERSION,
    found.map((f) => [f.publicKey, f.addresses.slice(0, MAX_ADDRESSES).map((a) => a.bytes)]),
  ]);
}

/** Entries that do not parse are skipped: an answer is a hint, checked by dialling it. */
export function decodeLocateResponse(bytes: Uint8Array): Located[] {
  const value = safeDecode(bytes);
  if (!Array.isArray(value) || value[0] !== VERSION || !Array.isArray(value[1])) return [];
  const out: Located[] = [];
  for (const entry of value[1]) {
    if (!Array.isArray(entry) || !(entry[0] instanceof Uint8Array) || !Array.isArray(entry[1])) {
      continue;
    }
    const addresses: Multiaddr[] = [];
    for (const a of entry[1].slice(0, MAX_ADDRESSES)) {
      if (!(a instanceof Uint8Array)) continue;
      try {
        addresses.push(multiaddr(a));
      } catch {
        // not a multiaddr: skipped
      }
    }
    out.push({ publicKey: entry[0], addresses });
  }
  return out;
}

function safeDecode(bytes: Uint8Array): CborValue | undefined {
  try {
    return decodeCbor(bytes, { maxDepth: 4 });
  } catch {
    return undefined;
  }
}
