import { describe, expect, it } from 'vitest';
import { encodeCbor } from '../../src/cbor/encode.ts';
import {
  decodeCallSignal,
  encodeCallSignal,
  MAX_SDP_BYTES,
  type CallSignal,
} from '../../src/calls/call-signal.ts';
import { decodeSignal } from '../../src/signals/signal-codec.ts';
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
