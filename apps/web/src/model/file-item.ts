import { findAttachment, formatSize, type MimiContent, type NestedPart } from '@kith/core';

/** A file a message carries, as the timeline shows it before (or without) fetching it. */
export interface FileItem {
  /** The sender's name for it: shown as text only, never used as a path or markup. */
  readonly filename: string;
  /** The type the sender declared: a hint, not trusted (see `displayAs`). */
  readonly declaredType: string;
  readonly size: number;
  readonly sizeText: string;
  readonly description: string;
}

/**
 * The file in a message and its caption; undefined for a message without one, or with a
 * malformed one (shown by its fallback text instead).
 */
export function fileOf(content: MimiContent): { file: FileItem; caption: string } | undefined {
  let attachment;
  try {
    attachment = findAttachment(content);
  } catch {
    return undefined;
  }
  if (attachment === undefined) return undefined;
  return {
    file: {
      filename: attachment.filename,
      declaredType: attachment.contentType,
      size: attachment.size,
      sizeText: formatSize(attachment.size),
      description: attachment.description,
    },
    caption: captionOf(content.body),
  };
}

/** A caption goes first in a processAll multipart; the file's own fallback text is not one. */
function captionOf(body: NestedPart): string {
  if (body.kind !== 'multi' || body.semantics !== 'processAll') return '';
  const first = body.parts[0];
  if (first?.kind !== 'single' || !first.contentType.startsWith('text/')) return '';
  return new TextDecoder().decode(first.content);
}

/** How the page shows a received file: inline image, audio player, or a download card. */
export type Display = 'image' | 'audio' | 'file';

/** Types the page shows inline: raster images a browser decodes as images only (no SVG). */
const IMAGES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);
const AUDIO = new Set(['audio/webm', 'audio/ogg', 'audio/opus']);

/**
 * What to show a file as, from the type `trustedMediaType` gave after sniffing its bytes: only
 * a sniffed raster image is an image and only sniffed audio plays; anything else (HTML, SVG,
 * a lying type) is a file to save, never rendered.
 */
export function displayAs(trustedType: string): Display {
  const base = trustedType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (IMAGES.has(base)) return 'image';
  if (AUDIO.has(base)) return 'audio';
  return 'file';
}

/** The type the page's object URL carries: the shown kind's own, else opaque bytes. */
export function blobType(trustedType: string): string {
  const display = displayAs(trustedType);
  return display === 'file' ? 'application/octet-stream' : (trustedType.split(';')[0] ?? '');
}

/** A file name safe to offer as a download name: no path, no control characters, not empty. */
export function saveName(filename: string): string {
  const base = filename.split(/[/\\]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '_').replace(/^\.+/, '');
  return clean.trim() === '' ? 'file' : clean.slice(0, 200);
}
