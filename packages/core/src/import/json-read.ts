/**
 * Reads of untrusted JSON values (from `JSON.parse` of a file someone else wrote): every read
 * checks the type and answers undefined rather than throwing, so a converter can skip what is
 * malformed and go on.
 */
export type JsonObject = Readonly<Record<string, unknown>>;

export function asObject(value: unknown): JsonObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as JsonObject)
    : undefined;
}

/** An own field (never one inherited from Object.prototype). */
export function field(o: JsonObject | undefined, key: string): unknown {
  return o !== undefined && Object.hasOwn(o, key) ? o[key] : undefined;
}

export function stringField(o: JsonObject | undefined, key: string, maxLength: number) {
  const v = field(o, key);
  return typeof v === 'string' && v.length <= maxLength ? v : undefined;
}

export function objectField(o: JsonObject | undefined, key: string): JsonObject | undefined {
  return asObject(field(o, key));
}

/** A non-negative safe integer (a Matrix timestamp, a size). */
export function countField(o: JsonObject | undefined, key: string): number | undefined {
  const v = field(o, key);
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * `text` cut to at most `maxBytes` of UTF-8, on a character boundary, and whether it was cut.
 * Lone surrogates (valid in JSON strings, not in UTF-8) become U+FFFD, as the encoder makes them.
 */
export function clipUtf8(text: string, maxBytes: number): { text: string; clipped: boolean } {
  // A UTF-16 code unit is at most 3 bytes of UTF-8: short text needs no encoding to measure.
  if (text.length * 3 <= maxBytes) return { text: wellFormed(text), clipped: false };
  const bytes = encoder.encode(text);
  if (bytes.length <= maxBytes) return { text: wellFormed(text), clipped: false };
  let end = maxBytes - 3;
  // Back up to the start of a character (continuation bytes are 10xxxxxx).
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return { text: `${decoder.decode(bytes.subarray(0, end))}…`, clipped: true };
}

/** `text` with lone surrogates replaced by U+FFFD (content builders refuse them). */
export function wellFormed(text: string): string {
  return /\p{Cs}/u.test(text) ? decoder.decode(encoder.encode(text)) : text;
}
