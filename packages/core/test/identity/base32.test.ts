import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode } from '../../src/identity/base32.ts';

const ascii = (s: string) => new TextEncoder().encode(s);

describe('base32', () => {
  // RFC 4648 section 10, lowercased and without padding.
  it.each([
    ['', ''],
    ['f', 'my'],
    ['fo', 'mzxq'],
    ['foo', 'mzxw6'],
    ['foob', 'mzxw6yq'],
    ['fooba', 'mzxw6ytb'],
    ['foobar', 'mzxw6ytboi'],
  ])('encodes %j as %j and back', (plain, encoded) => {
    expect(base32Encode(ascii(plain))).toBe(encoded);
    expect(base32Decode(encoded)).toEqual(ascii(plain));
  });

  it('round-trips any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const text = base32Encode(bytes);
        expect(text).toMatch(/^[a-z2-7]*$/);
        expect(base32Decode(text)).toEqual(bytes);
      }),
    );
  });

  it.each([
    ['uppercase', 'MZXW6'],
    ['padding', 'my======'],
    ['a digit outside the alphabet', 'mzx1'],
    ['an impossible length', 'mzx'],
    ['a single character', 'm'],
    ['nonzero unused bits', 'mz'],
    ['whitespace', 'mzxw 6'],
  ])('refuses %s', (_, text) => {
    expect(base32Decode(text)).toBeUndefined();
  });

  it('gives each byte string exactly one text form', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z2-7]{0,20}$/), (text) => {
        const bytes = base32Decode(text);
        if (bytes !== undefined) expect(base32Encode(bytes)).toBe(text);
      }),
    );
  });
});
