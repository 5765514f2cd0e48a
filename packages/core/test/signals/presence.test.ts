import { describe, expect, it } from 'vitest';
import type { DeviceId, UserId } from '../../src/ids.ts';
import { markerIntervalMs, presenceRefreshMs, SignalTimings } from '../../src/signals/limits.ts';
import { PresenceBoard, PresenceSender } from '../../src/signals/presence.ts';

const ana = 'uana' as UserId;
const d = (n: number) => `d${n}` as DeviceId;

describe('presence, sending side', () => {
  it('announces changes, refreshes once per interval, and says offline once', () => {
    const out = new PresenceSender();
    expect(out.next('offline', 0, 60_000)).toBeUndefined();
    expect(out.next('online', 0, 60_000)).toBe('online');
    expect(out.next('online', 59_999, 60_000)).toBeUndefined();
    expect(out.next('online', 60_000, 60_000)).toBe('online');
    // A change right after an announcement waits for the change interval.
    expect(out.next('away', 61_000, 60_000)).toBeUndefined();
    expect(out.next('away', 62_000, 60_000)).toBe('away');
    expect(out.next('offline', 70_000, 60_000)).toBe('offline');
    expect(out.next('offline', 500_000, 60_000)).toBeUndefined();
  });

  it('scales refreshes and marker writes with the room, within bounds', () => {
    expect(presenceRefreshMs(2)).toBe(SignalTimings.presenceRefreshMinMs);
    expect(presenceRefreshMs(100)).toBe(200_000);
    expect(presenceRefreshMs(100_000)).toBe(SignalTimings.presenceRefreshMaxMs);
    expect(markerIntervalMs(2)).toBe(SignalTimings.markerIntervalMinMs);
    expect(markerIntervalMs(100)).toBe(50_000);
    expect(markerIntervalMs(100_000)).toBe(SignalTimings.markerIntervalMaxMs);
  });
});

describe('presence, receiving side', () => {
  it('aggregates a user’s devices: online beats away beats offline', () => {
    const board = new PresenceBoard();
    board.set(d(1), ana, 'away', 60_000, 1_000);
    expect(board.changes(1_000)).toEqual([{ user: ana, state: 'away', lastSeen: 1_000 }]);
    board.set(d(2), ana, 'online', 60_000, 2_000);
    expect(board.changes(2_000)).toEqual([{ user: ana, state: 'online', lastSeen: 2_000 }]);
    board.set(d(2), ana, 'offline', 0, 3_000);
    expect(board.of(ana, 3_000)).toEqual({ user: ana, state: 'away', lastSeen: 3_000 });
    // The away device's announcement runs out: offline, last seen when last heard.
    expect(board.changes(61_000)).toEqual([{ user: ana, state: 'offline', lastSeen: 3_000 }]);
    expect(board.changes(70_000)).toEqual([]);
  });

  it('caps the time to live a device may claim', () => {
    const board = new PresenceBoard();
    board.set(d(1), ana, 'online', Number.MAX_SAFE_INTEGER, 0);
    expect(board.of(ana, SignalTimings.presenceTtlMaxMs)?.state).toBe('offline');
  });
});
