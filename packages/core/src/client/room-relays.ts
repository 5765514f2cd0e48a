import { decodeCbor } from '../cbor/decode.ts';
import { encodeCbor } from '../cbor/encode.ts';
import { ShapeReader } from '../cbor/shape.ts';
import { ClientError } from './errors.ts';

/** The `meta:` key under which each device records the relays it uses (docs/PROTOCOL.md §12.5). */
export const RELAYS_META_KEY = 'relays';

export const RoomRelayLimits = {
  /** Relays one device announces. */
  maxPerDevice: 8,
  /** Relays a room's members are served from, all devices together. */
  maxPerRoom: 16,
  /** Characters of one relay address (a multiaddr ending in /p2p/<peer id>). */
  maxAddressLength: 512,
} as const;

/** The relays this device announces, checked as the engine's input. */
export function checkRelayList(relays: readonly string[]): readonly string[] {
  if (relays.length > RoomRelayLimits.maxPerDevice) {
    throw new ClientError(
      'INVALID_ARGUMENT',
      `at most ${RoomRelayLimits.maxPerDevice} relays (got ${relays.length})`,
    );
  }
  for (const r of relays) {
    if (r.length === 0 || r.length > RoomRelayLimits.maxAddressLength) {
      throw new ClientError('INVALID_ARGUMENT', `a relay address of ${r.length} characters`);
    }
  }
  return [...relays];
}

export function encodeRelayList(relays: readonly string[]): Uint8Array {
  return encodeCbor([1, [...relays]]);
}

const r = new ShapeReader((path, message) => new Error(`relays ${path}: ${message}`));

/**
 * A device's announced relays, or [] when its value is not a relay list: another member's
 * meta value is untrusted input, and a bad one costs that member its relays, nothing more.
 */
export function decodeRelayList(bytes: Uint8Array): string[] {
  try {
    const a = r.array(decodeCbor(bytes, { maxDepth: 2 }), '', 2);
    r.version(a[0], 1);
    return r
      .list(a[1], 'relays', RoomRelayLimits.maxPerDevice, (v, p) => r.text(v, p))
      .filter((s) => s.length > 0 && s.length <= RoomRelayLimits.maxAddressLength);
  } catch {
    return [];
  }
}

/**
 * The relays a room's members use: this device's own first, then those the member devices
 * announced, without repeats, at most `maxPerRoom`. A relay is where members leave messages
 * for each other, so every member writes to them all and reads from them all.
 */
export function roomRelays(own: readonly string[], announced: Iterable<Uint8Array>): string[] {
  const out = new Set<string>(own);
  for (const value of announced) {
    for (const relay of decodeRelayList(value)) {
      if (out.size >= RoomRelayLimits.maxPerRoom) return [...out];
      out.add(relay);
    }
  }
  return [...out].slice(0, RoomRelayLimits.maxPerRoom);
}
