/** Hand-made media headers and streams for preview tests (core decodes no pixels nor audio). */

/** A PNG signature and IHDR declaring `width` × `height`, padded to `size` bytes. */
export function pngHeader(width: number, height: number, size = 64): Uint8Array {
  const bytes = new Uint8Array(Math.max(size, 33));
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
  bytes.set([0x49, 0x48, 0x44, 0x52], 12);
  const view = new DataView(bytes.buffer);
  view.setUint32(16, width);
  view.setUint32(20, height);
  bytes.set([8, 6, 0, 0, 0], 24);
  return bytes;
}

/** A JPEG with an APP0 segment, then a baseline frame header declaring `width` × `height`. */
export function jpegHeader(width: number, height: number): Uint8Array {
  const app0 = [0xff, 0xe0, 0x00, 0x10, ...Array.from('JFIF\0', (c) => c.charCodeAt(0))];
  const rest = new Array<number>(9).fill(0); // the rest of the 16-byte APP0 segment
  const sof = [0xff, 0xc0, 0x00, 0x11, 8, height >> 8, height & 0xff, width >> 8, width & 0xff, 3];
  return Uint8Array.from([0xff, 0xd8, ...app0, ...rest, ...sof, ...new Array<number>(9).fill(1)]);
}

/** One Ogg page (CRC left zero: the summary does not check it) holding `packets` whole. */
function oggPage(serial: number, seq: number, granule: number, packets: Uint8Array[]): Uint8Array {
  const lacing: number[] = [];
  for (const p of packets) {
    let n = p.length;
    while (n >= 255) {
      lacing.push(255);
      n -= 255;
    }
    lacing.push(n);
  }
  const body = packets.reduce((a, p) => a + p.length, 0);
  const page = new Uint8Array(27 + lacing.length + body);
  const view = new DataView(page.buffer);
  page.set([0x4f, 0x67, 0x67, 0x53, 0, seq === 0 ? 2 : 0]);
  view.setUint32(6, granule % 2 ** 32, true);
  view.setUint32(10, Math.floor(granule / 2 ** 32), true);
  view.setUint32(14, serial, true);
  view.setUint32(18, seq, true);
  page[26] = lacing.length;
  page.set(lacing, 27);
  let at = 27 + lacing.length;
  for (const p of packets) {
    page.set(p, at);
    at += p.length;
  }
  return page;
}

/**
 * An Ogg Opus stream of 20 ms packets whose sizes are `sizes` (contents are filler: nothing
 * here decodes audio), with a 312-sample pre-skip and `channels` channels.
 */
export function oggOpus(sizes: readonly number[], channels = 1): Uint8Array {
  const head = Uint8Array.from([
    ...Array.from('OpusHead', (c) => c.charCodeAt(0)),
    1,
    channels,
    0x38,
    0x01,
    0x80,
    0xbb,
    0,
    0,
    0,
    0,
    0,
  ]);
  const tags = Uint8Array.from(Array.from('OpusTags\0\0\0\0\0\0\0\0', (c) => c.charCodeAt(0)));
  const pages = [oggPage(7, 0, 0, [head]), oggPage(7, 1, 0, [tags])];
  for (let i = 0; i < sizes.length; i += 50) {
    const chunk = sizes.slice(i, i + 50).map((n) => new Uint8Array(n).fill(0x5a));
    const granule = 312 + (i + chunk.length) * 960;
    pages.push(oggPage(7, pages.length, granule, chunk));
  }
  const out = new Uint8Array(pages.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of pages) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
