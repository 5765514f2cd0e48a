/** Standard base64 (RFC 4648 §4, with padding): @kith/core has no Buffer or atob. */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const VALUES = new Map(Array.from({ length: 64 }, (_, i) => [ALPHABET.charAt(i), i]));

/** Standard base64 with padding (RFC 4648 §4), as history exports carry bytes in JSON. */
export function toBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i] ?? 0;
    const b = bytes[i + 1];
    const c = bytes[i + 2];
    const n = (a << 16) | ((b ?? 0) << 8) | (c ?? 0);
    out += ALPHABET[(n >> 18) & 63] ?? '';
    out += ALPHABET[(n >> 12) & 63] ?? '';
    out += b === undefined ? '=' : (ALPHABET[(n >> 6) & 63] ?? '');
    out += c === undefined ? '=' : (ALPHABET[n & 63] ?? '');
  }
  return out;
}

/** The bytes of canonical base64 text; undefined for anything else. */
export function fromBase64(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0) return undefined;
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    let n = 0;
    for (let j = 0; j < 4; j++) {
      const ch = text[i + j] ?? '';
      const last = i + 4 === text.length;
      const v = ch === '=' && last && j >= 4 - pad ? 0 : VALUES.get(ch);
      if (v === undefined) return undefined;
      n = (n << 6) | v;
    }
    for (let j = 0; j < 3 && o < out.length; j++) out[o++] = (n >> (16 - 8 * j)) & 255;
  }
  // Canonical: the bits padding leaves over must be zero (one encoding per byte string).
  return toBase64(out) === text ? out : undefined;
}
