import { encode } from 'uqr';

/**
 * A QR code as one SVG path (a square per dark module) and its side in modules, quiet zone
 * included: the page draws it itself, nothing is fetched.
 */
export function qrPath(text: string): { path: string; size: number } {
  const { data, size } = encode(text, { ecc: 'L', border: 4 });
  const parts: string[] = [];
  data.forEach((row, y) => {
    row.forEach((dark, x) => {
      if (dark) parts.push(`M${x} ${y}h1v1h-1z`);
    });
  });
  return { path: parts.join(''), size };
}
