import { decodeCbor } from '../cbor/decode.ts';
import { encodeCbor } from '../cbor/encode.ts';
import { ShapeReader } from '../cbor/shape.ts';
import { SyncError } from '../sync/errors.ts';

/** What a device says about itself as a whole, shown to the people it shares rooms with. */
export type PresenceState = 'online' | 'away' | 'offline';

/** Every presence state, for settings screens and parsing. */
export const PRESENCE_STATES: readonly PresenceState[] = ['online', 'away', 'offline'];

/**
 * A message of the ephemeral plane (docs/PROTOCOL.md, "Ephemeral signals"). It names nobody:
 * who sent it is the MLS sender, so a member can only ever speak for its own device.
 */
export type EphemeralSignal =
  | { readonly kind: 'typing'; readonly typing: boolean }
  /** `ttlMs`: how long the state holds unless repeated (whole seconds on the wire). */
  | { readonly kind: 'presence'; readonly state: PresenceState; readonly ttlMs: number }
  /** A kind (or a presence state) this version does not know: ignored, never an error. */
  | { readonly kind: 'unknown' };

const KINDS = ['typing', 'presence'] as const;
const MAX_TTL_SECONDS = 0xffff_ffff;

/** The wire form of a typing or presence signal (deterministic CBOR). */
export function encodeSignal(signal: Exclude<EphemeralSignal, { kind: 'unknown' }>): Uint8Array {
  switch (signal.kind) {
    case 'typing':
      return encodeCbor([0, signal.typing]);
    case 'presence':
      return encodeCbor([
        1,
        PRESENCE_STATES.indexOf(signal.state),
        Math.min(MAX_TTL_SECONDS, Math.ceil(signal.ttlMs / 1000)),
      ]);
  }
}

const r = new ShapeReader(
  (path, message) => new SyncError('SYNC_MALFORMED', `signal ${path}: ${message}`),
);

/**
 * Reads a signal. Unknown kinds and states decode as `unknown`, and fields after the known ones
 * are skipped, so later versions can add both; a known kind with wrong fields is malformed.
 */
export function decodeSignal(bytes: Uint8Array): EphemeralSignal {
  let value;
  try {
    value = decodeCbor(bytes, { maxDepth: 2 });
  } catch (cause) {
    throw new SyncError('SYNC_MALFORMED', 'signal is not deterministic CBOR', { cause });
  }
  const a = r.array(value, '');
  const kind = KINDS[r.uint(a[0], 'kind')];
  if (kind === 'typing') return { kind, typing: r.bool(a[1], 'typing') };
  if (kind === 'presence') {
    const state = PRESENCE_STATES[r.uint(a[1], 'state')];
    const ttl = r.uint(a[2], 'ttl', MAX_TTL_SECONDS);
    return state === undefined ? { kind: 'unknown' } : { kind, state, ttlMs: ttl * 1000 };
  }
  return { kind: 'unknown' };
}
