const encoder = new TextEncoder();

/** UTF-8 bytes of a string known to be well formed (labels, IDs); content text uses content/text.ts. */
export function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}
