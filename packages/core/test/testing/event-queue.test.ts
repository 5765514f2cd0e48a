import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventQueue } from '../../src/testing/event-queue.ts';

describe('EventQueue', () => {
  it('pops by time, then in the order pushed', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 200 }), (times) => {
        const queue = new EventQueue<{ at: number; seq: number }>();
        const items = times.map((at, seq) => ({ at, seq }));
        items.forEach((item) => {
          queue.push(item);
        });
        expect(queue.size).toBe(items.length);
        const popped = [];
        for (let item = queue.pop(); item !== undefined; item = queue.pop()) popped.push(item);
        expect(popped).toEqual([...items].sort((x, y) => x.at - y.at || x.seq - y.seq));
        expect(queue.peek()).toBeUndefined();
      }),
    );
  });

  it('interleaves pushes and pops correctly', () => {
    const queue = new EventQueue<{ at: number; seq: number }>();
    queue.push({ at: 5, seq: 0 });
    queue.push({ at: 1, seq: 1 });
    expect(queue.pop()).toEqual({ at: 1, seq: 1 });
    queue.push({ at: 5, seq: 2 });
    queue.push({ at: 3, seq: 3 });
    expect([queue.pop(), queue.pop(), queue.pop(), queue.pop()]).toEqual([
      { at: 3, seq: 3 },
      { at: 5, seq: 0 },
      { at: 5, seq: 2 },
      undefined,
    ]);
  });
});
