import { describe, expect, it } from 'vitest';
import {
  attachmentBody,
  attachmentPart,
  checkedImageHeader,
  decodeContent,
  Disposition,
  encodeCbor,
  encodeContent,
  fallbackText,
  findAttachment,
  imageHeader,
  MEDIA_INFO_TYPE,
  message,
  messageText,
  multiPart,
  previewParts,
  PreviewLimits,
  readMediaPreview,
  type MediaPreview,
  type MimiContent,
  type NestedPart,
} from '../../src/index.ts';
import { jpegHeader, pngHeader } from '../../src/testing/media-samples.ts';
import { blobIdOf } from '../../src/media/blob-id.ts';

const salt = new Uint8Array(16).fill(1);
const blob = {
  id: blobIdOf(new Uint8Array(32).fill(7)),
  size: 123_456,
  recordSize: 262_144,
  key: new Uint8Array(16).fill(3),
  nonce: new Uint8Array(12).fill(4),
};
const photo = attachmentPart(blob, { contentType: 'image/png', filename: 'cat.png' });
const placeholder = 'LEHV6nWB2yk8pyo0adR*.7kCMdnj';

function sent(preview: MediaPreview, caption?: string): MimiContent {
  return decodeContent(encodeContent(message(attachmentBody(photo, caption, preview), { salt })));
}

/** A body a sender made by hand, bypassing `previewParts`' own checks. */
function forged(...extra: NestedPart[]): MimiContent {
  const file = multiPart('chooseOne', [photo, { ...photo, kind: 'null' }]);
  return message(multiPart('processAll', [file, ...extra]), { salt });
}

function previewPart(contentType: string, content: Uint8Array): NestedPart {
  return { kind: 'single', disposition: Disposition.preview, language: '', contentType, content };
}

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe('media previews in a message', () => {
  it('round-trip beside the file, the caption and the fallback text', () => {
    const thumbnail = pngHeader(160, 120);
    const content = sent(
      {
        width: 4000,
        height: 3000,
        placeholder,
        thumbnail: { mediaType: 'image/png', bytes: thumbnail, width: 0, height: 0 },
      },
      'look',
    );
    expect(findAttachment(content)?.id).toBe(blob.id);
    expect(messageText(content)).toBe('look');
    const preview = readMediaPreview(content);
    expect(preview).toMatchObject({ width: 4000, height: 3000, placeholder });
    // The thumbnail's size is read from its own header, not from what the sender claimed.
    expect(preview?.thumbnail).toMatchObject({ mediaType: 'image/png', width: 160, height: 120 });
    expect(preview?.thumbnail?.bytes).toEqual(thumbnail);
  });

  it('carry a voice message: duration, waveform, fallback text', () => {
    const voice = attachmentPart(blob, {
      contentType: 'audio/ogg; codecs=opus',
      disposition: Disposition.inline,
    });
    const preview = { voice: true, durationMs: 12_400, waveform: Uint8Array.of(0, 128, 255) };
    const content = decodeContent(
      encodeContent(message(attachmentBody(voice, undefined, preview), { salt })),
    );
    expect(readMediaPreview(content)).toEqual(preview);
    expect(fallbackText(voice, preview)).toBe(
      '[voice message 0:12, audio/ogg; codecs=opus, 120.6 KB]',
    );
    expect(messageText(content)).toBe(fallbackText(voice, preview));
  });

  it('leave a file without a preview as it was (no processAll)', () => {
    const content = sent({});
    expect(content.body).toMatchObject({ kind: 'multi', semantics: 'chooseOne' });
    expect(readMediaPreview(content)).toBeUndefined();
  });
});

describe('a malicious sender', () => {
  it('cannot send a thumbnail over the byte limit', () => {
    const big = pngHeader(100, 100, PreviewLimits.maxThumbnailBytes + 1);
    expect(codeOf(() => readMediaPreview(forged(previewPart('image/png', big))))).toBe(
      'PREVIEW_TOO_LARGE',
    );
    const fits = pngHeader(100, 100, PreviewLimits.maxThumbnailBytes);
    expect(readMediaPreview(forged(previewPart('image/png', fits)))?.thumbnail?.width).toBe(100);
    // The sender's own device refuses it too.
    const thumbnail = { mediaType: 'image/png' as const, bytes: big, width: 1, height: 1 };
    expect(codeOf(() => previewParts({ thumbnail }))).toBe('PREVIEW_TOO_LARGE');
  });

  it('cannot send a small thumbnail declaring huge dimensions (a bomb)', () => {
    const bomb = pngHeader(60_000, 60_000);
    expect(codeOf(() => readMediaPreview(forged(previewPart('image/png', bomb))))).toBe(
      'PREVIEW_TOO_LARGE',
    );
    const side = PreviewLimits.maxThumbnailSide;
    expect(
      codeOf(() => readMediaPreview(forged(previewPart('image/jpeg', jpegHeader(side + 1, 10))))),
    ).toBe('PREVIEW_TOO_LARGE');
    expect(
      readMediaPreview(forged(previewPart('image/jpeg', jpegHeader(side, 10))))?.thumbnail,
    ).toMatchObject({ width: side, height: 10 });
  });

  it('cannot label a thumbnail with a type its bytes are not', () => {
    const png = pngHeader(10, 10);
    expect(codeOf(() => readMediaPreview(forged(previewPart('image/jpeg', png))))).toBe(
      'MEDIA_TYPE_MISMATCH',
    );
    const svg = new TextEncoder().encode('<svg onload="alert(1)"/>');
    expect(codeOf(() => readMediaPreview(forged(previewPart('image/png', svg))))).toBe(
      'MEDIA_TYPE_MISMATCH',
    );
  });

  it('cannot send preview fields out of range or malformed', () => {
    const info = (map: Map<number, unknown>) =>
      forged(previewPart(MEDIA_INFO_TYPE, encodeCbor(map as never)));
    const cases: [Map<number, unknown>, string][] = [
      [new Map([[1, 0]]), 'PREVIEW_INVALID'],
      [new Map([[2, 70_000]]), 'PREVIEW_INVALID'],
      [new Map([[4, -1]]), 'PREVIEW_INVALID'],
      [new Map([[3, 'not a blurhash']]), 'PREVIEW_INVALID'],
      [new Map([[3, placeholder.slice(0, -1)]]), 'PREVIEW_INVALID'],
      [new Map([[5, new Uint8Array(PreviewLimits.maxWaveformSamples + 1)]]), 'PREVIEW_TOO_LARGE'],
      [new Map([[6, false]]), 'PREVIEW_INVALID'],
      [new Map([[1, 'wide']]), 'PREVIEW_INVALID'],
    ];
    for (const [map, code] of cases) expect(codeOf(() => readMediaPreview(info(map)))).toBe(code);
    expect(readMediaPreview(info(new Map([[3, placeholder]])))).toEqual({ placeholder });
    expect(
      codeOf(() => readMediaPreview(forged(previewPart(MEDIA_INFO_TYPE, Uint8Array.of(0xff))))),
    ).toBe('PREVIEW_INVALID');
    expect(
      codeOf(() =>
        readMediaPreview(
          forged(previewPart(MEDIA_INFO_TYPE, new Uint8Array(PreviewLimits.maxInfoBytes + 1))),
        ),
      ),
    ).toBe('PREVIEW_TOO_LARGE');
  });
});

describe('image headers', () => {
  it('give the declared size of PNG, JPEG, GIF and WebP without decoding', () => {
    expect(imageHeader(pngHeader(640, 480))).toEqual({
      mediaType: 'image/png',
      width: 640,
      height: 480,
    });
    expect(imageHeader(jpegHeader(1920, 1080))).toEqual({
      mediaType: 'image/jpeg',
      width: 1920,
      height: 1080,
    });
    const gif = Uint8Array.from([
      ...Array.from('GIF89a', (c) => c.charCodeAt(0)),
      0x40,
      1,
      0x20,
      0,
    ]);
    expect(imageHeader(gif)).toEqual({ mediaType: 'image/gif', width: 320, height: 32 });
    const webp = new Uint8Array(30);
    webp.set(Array.from('RIFF\0\0\0\0WEBPVP8X', (c) => c.charCodeAt(0)));
    webp.set([99, 0, 0, 49, 0, 0], 24);
    expect(imageHeader(webp)).toEqual({ mediaType: 'image/webp', width: 100, height: 50 });
    expect(imageHeader(new TextEncoder().encode('hello'))).toBeUndefined();
  });

  it('refuse a decompression bomb before any pixel is decoded', () => {
    expect(codeOf(() => checkedImageHeader(pngHeader(30_000, 30_000)))).toBe('IMAGE_TOO_LARGE');
    expect(codeOf(() => checkedImageHeader(jpegHeader(65_535, 65_535)))).toBe('IMAGE_TOO_LARGE');
    // Each side within the limit, the pixel count over it.
    expect(codeOf(() => checkedImageHeader(pngHeader(10_000, 10_000)))).toBe('IMAGE_TOO_LARGE');
    expect(checkedImageHeader(pngHeader(4000, 3000)).width).toBe(4000);
  });

  it('refuse truncated and malformed headers with a typed error', () => {
    expect(codeOf(() => imageHeader(pngHeader(10, 10).subarray(0, 20)))).toBe('IMAGE_INVALID');
    expect(codeOf(() => imageHeader(jpegHeader(10, 10).subarray(0, 12)))).toBe('IMAGE_INVALID');
    expect(codeOf(() => imageHeader(pngHeader(0, 10)))).toBe('IMAGE_INVALID');
    const noFrame = Uint8Array.of(0xff, 0xd8, 0xff, 0xda, 0, 2);
    expect(codeOf(() => imageHeader(noFrame))).toBe('IMAGE_INVALID');
    expect(codeOf(() => checkedImageHeader(Uint8Array.of(1, 2, 3)))).toBe('IMAGE_UNSUPPORTED');
  });
});
