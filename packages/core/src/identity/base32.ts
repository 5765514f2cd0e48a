/**
 * RFC 4648 base32 (section 6), lowercase and without padding: the alphabet of user and device
 * IDs. Lowercase because IDs are read aloud and typed; no padding because lengths are fixed.
 */

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

const VALUES: ReadonlyMap<string, number> = new Map(
  Array.from(ALPHABET, (char, index) => [char, index] as const),
);

/** Lowercase RFC 4648 base32 without padding, the alphabet of user and device IDs. */
export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(buffer >>> bits) & 31] ?? '';
    }
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31] ?? '';
  return out;
}

/**
 * Decodes unpadded lowercase base32. Strict, so each byte string has exactly one text form:
 * undefined for any other character, a length no byte count produces (1, 3 or 6 mod 8), or
 * nonzero bits in the unused tail of the last character.
 */
export function base32Decode(text: string): Uint8Array | undefined {
  const tail = text.length % 8;
  if (tail === 1 || tail === 3 || tail === 6) return undefined;
  const out = new Uint8Array(Math.floor((text.length * 5) / 8));
  let buffer = 0;
  let bits = 0;
  let index = 0;
  for (const char of text) {
    const value = VALUES.get(char);
    if (value === undefined) return undefined;
    buffer = ((buffer << 5) | value) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[index++] = (buffer >>> bits) & 0xff;
    }
  }
  if ((buffer & ((1 << bits) - 1)) !== 0) return undefined;
  return out;
}
