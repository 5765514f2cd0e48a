import { describe, expect, it } from 'vitest';
import { MirrorBacklog } from '../../src/relay/mirror-backlog.ts';

const bytes = (n: number, size = 4): Uint8Array => new Uint8Array(size).fill(n);

describe('MirrorBacklog', () => {
  it('hands back what a relay owes in order, per relay, and forgets it once taken', () => {
    const b = new MirrorBacklog();
    b.keep('r1', { topic: 't', data: [bytes(1)] });
    b.keep('r2', { topic: 't', data: [bytes(9)] });
    b.keep('r1', { topic: 'u', data: [bytes(2), bytes(3)] });
    expect(b.owes('r1')).toBe(true);
    expect(b.take('r1')).toEqual([
      { topic: 't', data: [bytes(1)] },
      { topic: 'u', data: [bytes(2), bytes(3)] },
    ]);
    expect(b.owes('r1')).toBe(false);
    expect(b.take('r1')).toEqual([]);
    expect(b.take('r2')).toEqual([{ topic: 't', data: [bytes(9)] }]);
  });

  it('puts what failed again before what was kept meanwhile', () => {
    const b = new MirrorBacklog();
    b.keep('r', { topic: 't', data: [bytes(1)] });
    b.keep('r', { topic: 't', data: [bytes(2)] });
    const owed = b.take('r');
    b.keep('r', { topic: 't', data: [bytes(3)] });
    b.giveBack('r', owed.slice(1));
    expect(b.take('r').map((x) => x.data[0]?.[0])).toEqual([2, 3]);
  });

  it('gives up the oldest past 16 MiB per relay, never the newest', () => {
    const b = new MirrorBacklog();
    const mib = 1024 * 1024;
    for (let i = 0; i < 20; i++) b.keep('r', { topic: 't', data: [bytes(i, mib)] });
    const left = b.take('r').map((x) => x.data[0]?.[0]);
    expect(left).toEqual([4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    b.keep('r', { topic: 't', data: [bytes(1, 20 * mib)] });
    expect(b.take('r')).toHaveLength(1);
  });
});
