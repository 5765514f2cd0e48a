import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { DeviceId, UserId } from '../../src/ids.ts';
import { SignalTimings } from '../../src/signals/limits.ts';
import { TypingBoard, TypingSender } from '../../src/signals/typing.ts';

const ana = 'uana' as UserId;
const ben = 'uben' as UserId;
const d = (n: number) => `d${n}` as DeviceId;

describe('typing, sending side', () => {
  it('100 keystrokes, 200 ms apart, make 7 "typing" signals and one "stopped"', () => {
    const sender = new TypingSender();
    const sent: boolean[] = [];
    let now = 0;
    for (let i = 0; i < 100; i++, now += 200) {
      const s = sender.next(true, now);
      if (s !== undefined) sent.push(s);
    }
    const s = sender.next(false, now);
    if (s !== undefined) sent.push(s);
    expect(sent).toEqual([true, true, true, true, true, true, true, false]);
  });

  it('never sends more than one signal per refresh interval while typing, whatever the rhythm', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5_000 }), { maxLength: 300 }), (gaps) => {
        const sender = new TypingSender();
        let now = 0;
        let last = Number.NEGATIVE_INFINITY;
        for (const gap of gaps) {
          now += gap;
          if (sender.next(true, now) === true) {
            expect(now - last).toBeGreaterThanOrEqual(SignalTimings.typingRefreshMs);
            last = now;
          }
        }
      }),
    );
  });

  it('says "stopped" only while receivers still show typing, and only once', () => {
    const sender = new TypingSender();
    expect(sender.next(false, 0)).toBeUndefined();
    expect(sender.next(true, 0)).toBe(true);
    expect(sender.next(false, 1_000)).toBe(false);
    expect(sender.next(false, 1_100)).toBeUndefined();
    expect(sender.next(true, 1_200)).toBe(true);
    // Long after: receivers have expired it already.
    expect(sender.next(false, 1_200 + SignalTimings.typingExpiryMs)).toBeUndefined();
    // After sending a message, the next keystroke says "typing" at once.
    expect(sender.next(true, 10_000)).toBe(true);
    sender.sent();
    expect(sender.next(true, 10_100)).toBe(true);
  });
});

describe('typing, receiving side', () => {
  it('shows users (not devices) in the order they started, and expires them', () => {
    const board = new TypingBoard();
    board.set(d(1), ana, true, 0);
    board.set(d(2), ben, true, 1_000);
    board.set(d(3), ana, true, 2_000);
    expect(board.changes(2_000)).toEqual([ana, ben]);
    expect(board.changes(2_500)).toBeUndefined();
    // Ana's first device runs out, her second still types (since after Ben started).
    expect(board.changes(6_500)).toEqual([ben, ana]);
    expect(board.changes(6_800)).toBeUndefined();
    board.set(d(2), ben, false, 6_900);
    expect(board.changes(6_900)).toEqual([ana]);
    expect(board.changes(8_000)).toEqual([]);
  });

  it('forgets devices no longer in the room', () => {
    const board = new TypingBoard();
    board.set(d(1), ana, true, 0);
    board.set(d(2), ben, true, 0);
    board.retain((device) => device !== d(1));
    expect(board.users(10)).toEqual([ben]);
  });
});
