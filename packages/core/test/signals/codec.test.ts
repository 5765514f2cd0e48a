import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeCbor } from '../../src/cbor/encode.ts';
import { decodeSignal, encodeSignal, PRESENCE_STATES } from '../../src/signals/signal-codec.ts';
import {
  decodeAppPayload,
  decodeRoomPayload,
  encodeAppPayload,
  encodeSignalPayload,
} from '../../src/sync/payload.ts';

/** A SyncError SYNC_MALFORMED whose message matches `message`. */
const malformed = (message: RegExp): Error =>
  expect.objectContaining({
    name: 'SyncError',
    code: 'SYNC_MALFORMED',
    message: expect.stringMatching(message) as string,
  }) as Error;

describe('ephemeral signals on the wire', () => {
  it('round-trips typing and presence', () => {
    for (const typing of [true, false]) {
      expect(decodeSignal(encodeSignal({ kind: 'typing', typing }))).toEqual({
        kind: 'typing',
        typing,
      });
    }
    fc.assert(
      fc.property(
        fc.constantFrom(...PRESENCE_STATES),
        fc.integer({ min: 0, max: 1_000_000 }),
        (state, seconds) => {
          const signal = { kind: 'presence', state, ttlMs: seconds * 1000 } as const;
          expect(decodeSignal(encodeSignal(signal))).toEqual(signal);
        },
      ),
    );
  });

  it('reads kinds and states it does not know as unknown, and skips fields added later', () => {
    expect(decodeSignal(encodeCbor([2, 'call offer']))).toEqual({ kind: 'unknown' });
    expect(decodeSignal(encodeCbor([1, 3, 60]))).toEqual({ kind: 'unknown' });
    expect(decodeSignal(encodeCbor([0, true, 'a later field']))).toEqual({
      kind: 'typing',
      typing: true,
    });
  });

  it('refuses a known kind with wrong fields, and what is not CBOR', () => {
    for (const bad of [
      encodeCbor([0, 1]),
      encodeCbor([0]),
      encodeCbor([1, 'online', 60]),
      encodeCbor([1, 0, -1]),
      encodeCbor('typing'),
      encodeCbor([-1, true]),
      Uint8Array.of(0xff),
    ]) {
      expect(() => decodeSignal(bad)).toThrow(expect.objectContaining({ code: 'SYNC_MALFORMED' }));
    }
  });
});

describe('room payloads', () => {
  it('carry updates, evidence or a signal; a type not known yet is ignorable', () => {
    const updates = { type: 'updates', updates: [Uint8Array.of(1)], authors: [] } as const;
    expect(decodeRoomPayload(encodeAppPayload(updates))).toEqual(updates);
    expect(decodeRoomPayload(encodeSignalPayload(Uint8Array.of(9)))).toEqual({
      type: 'signal',
      signal: Uint8Array.of(9),
    });
    expect(decodeRoomPayload(encodeCbor([1, 7, 'whatever comes next']))).toEqual({
      type: 'unknown',
      code: 7,
    });
    expect(() => decodeAppPayload(encodeSignalPayload(Uint8Array.of(9)))).toThrow(
      malformed(/payload type/),
    );
  });

  it('refuses an oversized signal and a wrong version', () => {
    expect(decodeRoomPayload(encodeSignalPayload(new Uint8Array(1024)))).toMatchObject({
      type: 'signal',
    });
    expect(() => decodeRoomPayload(encodeSignalPayload(new Uint8Array(1025)))).toThrow(
      malformed(/at most 1024/),
    );
    expect(() => decodeRoomPayload(encodeCbor([2, 2, Uint8Array.of(1)]))).toThrow(
      malformed(/version/),
    );
    expect(() => decodeRoomPayload(encodeCbor([1, 2]))).toThrow(malformed(/array of 3/));
  });
});
