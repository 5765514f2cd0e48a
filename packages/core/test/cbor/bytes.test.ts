import { describe, expect, it } from 'vitest';
import { compareByteRanges, hexPreview } from '../../src/cbor/bytes.ts';
import { hex } from './helpers.ts';

describe('byte helpers', () => {
  it('compares ranges bytewise, a proper prefix first', () => {
    const bytes = hex('0102 010203 02');
    expect(compareByteRanges(bytes, 0, 2, bytes, 2, 5)).toBeLessThan(0);
    expect(compareByteRanges(bytes, 2, 5, bytes, 0, 2)).toBeGreaterThan(0);
    expect(compareByteRanges(bytes, 0, 2, bytes, 2, 4)).toBe(0);
    expect(compareByteRanges(bytes, 5, 6, bytes, 0, 2)).toBeGreaterThan(0);
    expect(compareByteRanges(bytes, 0, 0, bytes, 6, 6)).toBe(0);
  });

  it('shows at most 32 bytes in diagnostic notation', () => {
    expect(hexPreview(hex('00ff'))).toBe("h'00ff'");
    expect(hexPreview(new Uint8Array(33))).toBe(`h'${'00'.repeat(32)}...'`);
  });
});
