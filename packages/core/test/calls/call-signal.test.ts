import { describe, expect, it } from 'vitest';
import { encodeCbor } from '../../src/cbor/encode.ts';
import {
  decodeCallSignal,
  encodeCallSignal,
  isCallSignal,
  MAX_CALL_SIGNAL_BYTES,
  MAX_SDP_BYTES,
  type CallSignal,
} from '../../src/calls/call-signal.ts';
import { decodeSignal } from '../../src/signals/signal-codec.ts';
import { decodeRoomPayload, encodeSignalPayload } from '../../src/sync/payload.ts';
import { callId, device } from './call-net.ts';

const id = callId(1);
const to = device(1);
const SIGNALS: CallSignal[] = [
  { kind: 'invite', callId: id, media: 'video', group: true },
  { kind: 'ringing', callId: id },
  { kind: 'accept', callId: id },
  { kind: 'answered', callId: id, device: to },
  { kind: 'decline', callId: id },
  { kind: 'busy', callId: id },
  { kind: 'hangup', callId: id, reason: 'full', to },
  { kind: 'hangup', callId: id, reason: 'glare', to: undefined },
  { kind: 'offer', callId: id, to, sdp: 'v=0\r\na=fingerprint:sha-256 AB:CD\r\n' },
  { kind: 'answer', callId: id, to, sdp: 'v=0' },
  { kind: 'ice', callId: id, to, candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', mid: '0' },
  { kind: 'ice', callId: id, to, candidate: '', mid: undefined },
];

describe('call signals on the wire', () => {
  it('round-trip every kind', () => {
    for (const s of SIGNALS)
      expect(decodeCallSignal(encodeCallSignal(s))).toEqual({ ok: true, signal: s });
  });

  it('are ephemeral signals of kind 2, which versions without calls ignore', () => {
    for (const s of SIGNALS) expect(decodeSignal(encodeCallSignal(s))).toEqual({ kind: 'unknown' });
  });

  it('refuse an extra field, a missing one, an unknown kind, version or value', () => {
    const bad = [
      [2, 1, 1, id, 'extra'],
      [2, 1, 0, id, 0],
      [2, 1, 99, id],
      [2, 2, 1, id],
      [2, 1, 0, id, 7, false],
      [2, 1, 6, id, 9, null],
      [2, 1, 1, new Uint8Array(15)],
      [2, 1, 3, id, 'not-a-device'],
      [1, 1, 1, id],
    ];
    for (const value of bad) {
      expect(decodeCallSignal(encodeCbor(value)), JSON.stringify(value)).toMatchObject({
        ok: false,
      });
    }
    expect(decodeCallSignal(new Uint8Array([0xff]))).toMatchObject({ ok: false });
  });

  it('bound the SDP, on both ends', () => {
    const big: CallSignal = { kind: 'offer', callId: id, to, sdp: 'x'.repeat(MAX_SDP_BYTES + 1) };
    expect(() => encodeCallSignal(big)).toThrow(
      expect.objectContaining({ code: 'CALL_SIGNAL_INVALID' }),
    );
    const forged = encodeCbor([2, 1, 7, id, to, 'x'.repeat(MAX_SDP_BYTES + 1)]);
    expect(decodeCallSignal(forged)).toMatchObject({ ok: false });
  });
});

describe('call signals in a room payload', () => {
  const offer = (sdp: string): Uint8Array =>
    encodeCallSignal({ kind: 'offer', callId: id, to, sdp });

  it('carry an SDP of up to 12 KiB; typing and presence stay bounded at 1 KiB', () => {
    const big = offer('a=fingerprint:sha-256 AB\r\n'.padEnd(MAX_SDP_BYTES, 'x'));
    expect(big.length).toBeGreaterThan(12 * 1024);
    expect(isCallSignal(big)).toBe(true);
    expect(decodeRoomPayload(encodeSignalPayload(big))).toEqual({ type: 'signal', signal: big });
    for (const s of SIGNALS) expect(isCallSignal(encodeCallSignal(s))).toBe(true);
    // A typing signal padded past 1 KiB is refused: the larger bound is for kind 2 only.
    const typing = encodeCbor([0, true, new Uint8Array(1100)]);
    expect(isCallSignal(typing)).toBe(false);
    expect(() => decodeRoomPayload(encodeSignalPayload(typing))).toThrow(/at most 1024/);
    // Bytes that look like a call signal but run past its bound are refused too.
    const huge = encodeCbor([2, 1, 7, id, to, 'x'.repeat(MAX_CALL_SIGNAL_BYTES)]);
    expect(isCallSignal(huge)).toBe(true);
    expect(() => decodeRoomPayload(encodeSignalPayload(huge))).toThrow(
      new RegExp(`at most ${MAX_CALL_SIGNAL_BYTES}`),
    );
  });
});
