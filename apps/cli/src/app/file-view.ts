import {
  findAttachment,
  formatDuration,
  formatSize,
  type NestedPart,
  type TimelineMessage,
} from '@kith/core';
import { receivedPreview } from '@kith/node';

/** A file a message carries, as `messages` shows it (JSON-safe; nothing here is fetched). */
export interface FileView {
  /** The sender's name for it, '' when none (never used as a path as is). */
  readonly name: string;
  readonly size: number;
  /** The type the sender declared; `downloadFile` reports the one the bytes show. */
  readonly type: string;
  readonly voice: boolean;
  readonly durationMs?: number;
  readonly width?: number;
  readonly height?: number;
  /** BlurHash of a picture. */
  readonly placeholder?: string;
  /** Loudness samples 0..255 of a voice message. */
  readonly waveform?: number[];
  readonly thumbnail?: { readonly type: string; readonly width: number; readonly height: number };
  /** Why the preview was refused (the file itself is still there to download). */
  readonly previewError?: string;
  /** Hex of the blob's ciphertext hash. */
  readonly blobId: string;
}

/**
 * The file of a message, or nothing when it carries no Kith blob; with it the message's text is
 * its caption alone ('' without one), not the fallback text sent for other clients.
 */
export function fileView(m: TimelineMessage): { file?: FileView; text?: string } {
  if (m.retracted) return {};
  let attachment;
  try {
    attachment = findAttachment(m.content);
  } catch {
    return {};
  }
  if (attachment === undefined) return {};
  const got = receivedPreview(m.content);
  const p = got.ok ? got.preview : undefined;
  const file: FileView = {
    name: attachment.filename,
    size: attachment.size,
    type: attachment.contentType,
    voice: p?.voice === true,
    ...(p?.durationMs === undefined ? {} : { durationMs: p.durationMs }),
    ...(p?.width === undefined ? {} : { width: p.width }),
    ...(p?.height === undefined ? {} : { height: p.height }),
    ...(p?.placeholder === undefined ? {} : { placeholder: p.placeholder }),
    ...(p?.waveform === undefined ? {} : { waveform: [...p.waveform] }),
    ...(p?.thumbnail === undefined
      ? {}
      : {
          thumbnail: {
            type: p.thumbnail.mediaType,
            width: p.thumbnail.width,
            height: p.thumbnail.height,
          },
        }),
    ...(got.ok ? {} : { previewError: got.error.code }),
    blobId: attachment.id,
  };
  return { file, text: captionOf(m.content.body) };
}

/** The caption before the file in a processAll body ('' when there is none). */
function captionOf(body: NestedPart): string {
  if (body.kind !== 'multi' || body.semantics !== 'processAll') return '';
  const first = body.parts[0];
  return first?.kind === 'single' && first.contentType.startsWith('text/')
    ? new TextDecoder().decode(first.content)
    : '';
}

const BARS = '▁▂▃▄▅▆▇█';

/** "🎤 voice message 0:12 ▁▃▇▅▂", "📎 view.png · 1.2 MB · image/png · 1200×800": one line. */
export function fileLine(file: FileView): string {
  if (file.voice) {
    const length = file.durationMs === undefined ? '' : ` ${formatDuration(file.durationMs)}`;
    const wave = file.waveform === undefined ? '' : ` ${bars(file.waveform, 16)}`;
    return `🎤 voice message${length}${wave}`;
  }
  const parts = [file.name === '' ? 'file' : file.name, formatSize(file.size), file.type];
  if (file.width !== undefined && file.height !== undefined) {
    parts.push(`${file.width}×${file.height}`);
  }
  if (file.durationMs !== undefined) parts.push(formatDuration(file.durationMs));
  if (file.thumbnail !== undefined) parts.push('thumbnail');
  if (file.previewError !== undefined) parts.push(`preview refused: ${file.previewError}`);
  return `📎 ${parts.join(' · ')}`;
}

function bars(samples: readonly number[], width: number): string {
  const out: string[] = [];
  const n = Math.min(width, samples.length);
  for (let i = 0; i < n; i++) {
    const from = Math.floor((i * samples.length) / n);
    const to = Math.max(from + 1, Math.floor(((i + 1) * samples.length) / n));
    const peak = Math.max(...samples.slice(from, to));
    out.push(BARS[Math.min(BARS.length - 1, Math.floor((peak / 256) * BARS.length))] ?? '');
  }
  return out.join('');
}
