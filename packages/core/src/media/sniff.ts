/**
 * The media type a file's first bytes show, for the few formats a messenger displays itself.
 * The type a sender declares is not trusted: an "image/png" that is not a PNG is shown as a
 * plain file.
 */
export function sniffMediaType(head: Uint8Array): string | undefined {
  const starts = (offset: number, ...bytes: number[]) =>
    bytes.every((b, i) => head[offset + i] === b);
  const ascii = (offset: number, text: string) =>
    starts(offset, ...Array.from(text, (c) => c.charCodeAt(0)));
  if (starts(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (starts(0, 0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (ascii(0, 'GIF87a') || ascii(0, 'GIF89a')) return 'image/gif';
  if (ascii(0, 'RIFF') && ascii(8, 'WEBP')) return 'image/webp';
  if (ascii(0, 'OggS')) return 'audio/ogg';
  if (starts(0, 0x1a, 0x45, 0xdf, 0xa3)) return 'video/webm';
  if (ascii(4, 'ftyp')) return 'video/mp4';
  if (ascii(0, '%PDF-')) return 'application/pdf';
  return undefined;
}

/** Declared types a sniffed container also carries (audio-only MP4, Ogg or WebM). */
const ALIASES: Record<string, readonly string[]> = {
  'video/mp4': ['video/mp4', 'audio/mp4', 'video/quicktime'],
  'audio/ogg': ['audio/ogg', 'video/ogg', 'application/ogg', 'audio/opus'],
  'video/webm': ['video/webm', 'audio/webm'],
};

/** Bytes of a file's start that `sniffMediaType` looks at. */
export const SNIFF_BYTES = 16;

/**
 * The type to treat a received file as: the declared one when its bytes agree (or when the
 * declared type is not one sniffed here and the bytes are not of a displayed kind either),
 * otherwise `application/octet-stream`, so a mislabelled file is never rendered as media.
 */
export function trustedMediaType(declared: string, head: Uint8Array): string {
  const base = declared.split(';')[0]?.trim().toLowerCase() ?? '';
  const sniffed = sniffMediaType(head);
  if (sniffed !== undefined) {
    return (ALIASES[sniffed] ?? [sniffed]).includes(base) ? declared : 'application/octet-stream';
  }
  const displayed = /^(image|audio|video)\//.test(base) || base === 'application/pdf';
  return displayed ? 'application/octet-stream' : declared;
}
