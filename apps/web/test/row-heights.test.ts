import { describe, expect, it } from 'vitest';
import { RowHeights } from '../src/model/row-heights.ts';

describe('row heights of a virtualised list', () => {
  it('places rows by measured heights, estimates the rest, and finds the rows in a window', () => {
    const h = new RowHeights(50);
    const keys = Array.from({ length: 10_000 }, (_, i) => `k${i}`);
    h.setKeys(keys);
    expect(h.total).toBe(500_000);
    expect(h.range(0, 800)).toEqual({ first: 0, last: 16 });
    expect(h.measure('k0', 120)).toBe(true);
    expect(h.measure('k0', 120)).toBe(false);
    expect(h.top(1)).toBe(120);
    expect(h.total).toBe(500_070);
    expect(h.rowAt(119)).toBe(0);
    expect(h.rowAt(120)).toBe(1);
    expect(h.range(250_000, 250_800)).toEqual({ first: 4998, last: 5015 });
    // Older rows arrive above: a row keeps its key, its index and top move with it.
    h.setKeys(['older', ...keys]);
    expect(h.indexOf('k1')).toBe(2);
    expect(h.top(2)).toBe(50 + 120);
    expect(h.range(1e9, 1e9 + 10)).toEqual({ first: 10_000, last: 10_001 });
    h.setKeys([]);
    expect(h.range(0, 800)).toEqual({ first: 0, last: 0 });
  });
});
