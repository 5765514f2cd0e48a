/** Bytewise lexicographic comparison of a[aStart..aEnd) and b[bStart..bEnd): negative, 0 or positive. */
export function compareByteRanges(
  a: Uint8Array,
  aStart: number,
  aEnd: number,
  b: Uint8Array,
  bStart: number,
  bEnd: number,
): number {
  const aLength = aEnd - aStart;
  const bLength = bEnd - bStart;
  const common = aLength < bLength ? aLength : bLength;
  for (let i = 0; i < common; i++) {
    const difference = (a[aStart + i] ?? 0) - (b[bStart + i] ?? 0);
    if (difference !== 0) return difference;
  }
  return aLength - bLength;
}

/** Hex of up to 32 bytes, in CBOR diagnostic notation, for error messages. */
export function hexPreview(bytes: Uint8Array): string {
  const shown = Array.from(bytes.subarray(0, 32), (byte) => byte.toString(16).padStart(2, '0'));
  return `h'${shown.join('')}${bytes.length > 32 ? '...' : ''}'`;
}
