import { decodeCbor } from '../cbor/decode.ts';
import { encodeCbor } from '../cbor/encode.ts';
import { ShapeReader } from '../cbor/shape.ts';
import type { CborValue } from '../cbor/value.ts';
import { isDeviceId } from '../identity/user-id.ts';
import type { DeviceId } from '../ids.ts';
import { CallError } from './errors.ts';

/**
 * Call signalling on the room's ephemeral plane (docs/PROTOCOL.md, "Calls"): kind 2 of the
 * ephemeral signals, so a version that knows no calls ignores it like any unknown signal.
 * Who sends is the MLS sender; a signal meant for one device names it (`to`), the others drop
 * it. Every kind has a fixed number of fields: an unknown field is refused, not skipped.
 */
export const CALL_SIGNAL_KIND = 2;
const VERSION = 1;

/**
 * Whether an encoded ephemeral signal is a call signal: deterministic CBOR puts a one-byte
 * array header first, then the kind as one byte.
 */
export function isCallSignal(signal: Uint8Array): boolean {
  const header = signal[0] ?? 0;
  return header >= 0x80 && header <= 0x97 && signal[1] === CALL_SIGNAL_KIND;
}

/** Length of a call ID (random, chosen by the caller). */
export const CALL_ID_BYTES = 16;
/** Largest SDP carried (an audio+video offer is 2 to 6 KiB). */
export const MAX_SDP_BYTES = 12 * 1024;
/** Largest ICE candidate line. */
const MAX_CANDIDATE_BYTES = 512;
/** Largest encoded call signal: an SDP and its framing. */
export const MAX_CALL_SIGNAL_BYTES = MAX_SDP_BYTES + 256;

/** What a call carries: audio only, or audio and video. */
export type CallMedia = 'audio' | 'video';
/**
 * Why a device sent `hangup`: it left (`normal`), the mesh was full, nobody answered in time,
 * media failed, or it lost a glare (two crossed invites) and joins the other call.
 */
export type HangupReason = 'normal' | 'full' | 'timeout' | 'failed' | 'glare';
const MEDIA: readonly CallMedia[] = ['audio', 'video'];
const REASONS: readonly HangupReason[] = ['normal', 'full', 'timeout', 'failed', 'glare'];

/** One call signal, by kind; every kind carries the call ID it is about. */
export type CallSignal =
  /** Starts a call; every device of the room but the sender's own rings. */
  | { kind: 'invite'; callId: Uint8Array; media: CallMedia; group: boolean }
  /** A device rings (so the caller shows "ringing"). */
  | { kind: 'ringing'; callId: Uint8Array }
  /** A device answers (1:1) or joins (group). */
  | { kind: 'accept'; callId: Uint8Array }
  /** 1:1: the caller's pick among the devices that answered; every other one stops. */
  | { kind: 'answered'; callId: Uint8Array; device: DeviceId }
  | { kind: 'decline'; callId: Uint8Array }
  /** The device is in another call. */
  | { kind: 'busy'; callId: Uint8Array }
  /** The sender leaves (or cancels the invite); `to`: only that device (a "full" refusal). */
  | { kind: 'hangup'; callId: Uint8Array; reason: HangupReason; to: DeviceId | undefined }
  /** SDP for one peer; it carries the DTLS fingerprint the media must present. */
  | { kind: 'offer'; callId: Uint8Array; to: DeviceId; sdp: string }
  | { kind: 'answer'; callId: Uint8Array; to: DeviceId; sdp: string }
  /** A trickled candidate; '' says there are no more. */
  | { kind: 'ice'; callId: Uint8Array; to: DeviceId; candidate: string; mid: string | undefined };

type CallSignalKind = CallSignal['kind'];
const KINDS: readonly CallSignalKind[] = [
  'invite',
  'ringing',
  'accept',
  'answered',
  'decline',
  'busy',
  'hangup',
  'offer',
  'answer',
  'ice',
];

function fields(s: CallSignal): CborValue[] {
  switch (s.kind) {
    case 'invite':
      return [MEDIA.indexOf(s.media), s.group];
    case 'ringing':
    case 'accept':
    case 'decline':
    case 'busy':
      return [];
    case 'answered':
      return [s.device];
    case 'hangup':
      return [REASONS.indexOf(s.reason), s.to ?? null];
    case 'offer':
    case 'answer':
      return [s.to, s.sdp];
    case 'ice':
      return [s.to, s.candidate, s.mid ?? null];
  }
}

/** The wire form of a call signal (deterministic CBOR). */
export function encodeCallSignal(signal: CallSignal): Uint8Array {
  const bytes = encodeCbor([
    CALL_SIGNAL_KIND,
    VERSION,
    KINDS.indexOf(signal.kind),
    signal.callId,
    ...fields(signal),
  ]);
  // What receivers would refuse (an SDP too large, a bad device ID) is not sent at all.
  const check = decodeCallSignal(bytes);
  if (!check.ok) throw new CallError('CALL_SIGNAL_INVALID', check.reason);
  return bytes;
}

/** Why a call signal was refused (a result: a member's bad signal is not this device's error). */
export interface MalformedCallSignal {
  readonly ok: false;
  readonly reason: string;
}

class Malformed extends Error {}
const r = new ShapeReader((path, message) => new Malformed(`call signal ${path}: ${message}`));

function device(v: CborValue, path: string): DeviceId {
  const text = r.text(v, path, 64);
  return isDeviceId(text) ? text : r.fail(path, 'a device ID expected');
}

function read(a: readonly CborValue[]): CallSignal {
  const kind = KINDS[r.uint(a[2], 'kind', 255)] ?? r.fail('kind', 'unknown call signal kind');
  const callId = r.bytes(a[3], 'callId', CALL_ID_BYTES);
  const want = (n: number): void => {
    if (a.length !== 4 + n) r.fail('', `${kind} has ${n} fields`);
  };
  switch (kind) {
    case 'invite': {
      want(2);
      const media = MEDIA[r.uint(a[4], 'media', 255)] ?? r.fail('media', 'unknown media');
      return { kind, callId, media, group: r.bool(a[5], 'group') };
    }
    case 'ringing':
    case 'accept':
    case 'decline':
    case 'busy':
      want(0);
      return { kind, callId };
    case 'answered':
      want(1);
      return { kind, callId, device: device(a[4], 'device') };
    case 'hangup': {
      want(2);
      const reason = REASONS[r.uint(a[4], 'reason', 255)] ?? r.fail('reason', 'unknown reason');
      return { kind, callId, reason, to: r.optional(a[5], 'to', device) };
    }
    case 'offer':
    case 'answer':
      want(2);
      return { kind, callId, to: device(a[4], 'to'), sdp: r.text(a[5], 'sdp', MAX_SDP_BYTES) };
    case 'ice':
      want(3);
      return {
        kind,
        callId,
        to: device(a[4], 'to'),
        candidate: r.text(a[5], 'candidate', MAX_CANDIDATE_BYTES),
        mid: r.optional(a[6], 'mid', (v, p) => r.text(v, p, 64)),
      };
  }
}

/**
 * Reads an ephemeral signal of kind 2. Anything else (too large, not deterministic CBOR,
 * another version, an unknown kind or field, a field out of range) is refused with a reason.
 */
export function decodeCallSignal(
  bytes: Uint8Array,
): { readonly ok: true; readonly signal: CallSignal } | MalformedCallSignal {
  if (bytes.length > MAX_CALL_SIGNAL_BYTES) return { ok: false, reason: 'call signal too large' };
  try {
    const a = r.array(decodeCbor(bytes, { maxDepth: 2 }), '');
    if (a[0] !== CALL_SIGNAL_KIND) r.fail('', 'not a call signal');
    r.version(a[1], VERSION);
    return { ok: true, signal: read(a) };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}
