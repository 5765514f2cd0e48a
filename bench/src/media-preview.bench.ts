import { oggOpusSummary, PreviewLimits, previewParts } from '@kith/core';
import { oggOpus } from '@kith/core/testing';
import { imagePreview, PortableImageCodec } from '@kith/node';
import { measure, report, type Measurement } from './measure.ts';

/**
 * What a picture's preview costs the sender (decode, BlurHash, 160 px JPEG thumbnail) against
 * decoding the picture alone, the least any thumbnail needs; and the voice summary of a minute
 * of Ogg Opus against copying its bytes. Prints the thumbnail and preview sizes too.
 */
export function benchMediaPreview(quick: boolean): void {
  const codec = new PortableImageCodec();
  const [width, height] = quick ? [1200, 800] : [3000, 2000];
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const x = i % width;
    const y = Math.floor(i / width);
    data.set([(x * 255) / width, (y * 255) / height, (x ^ y) & 255, 255], i * 4);
  }
  const jpeg = codec.encodeJpeg({ width, height, data }, 85);
  const rounds = quick ? 2 : 3;
  const rows: [Measurement, Measurement][] = [
    [
      measure(`preview ${width}×${height} JPEG`, 1, rounds, () => imagePreview(codec, jpeg)),
      measure('decode only', 1, rounds, () => codec.decode(jpeg)),
    ],
  ];
  const ogg = oggOpus(Array.from({ length: 3000 }, (_, i) => 20 + (i % 97)));
  rows.push([
    measure('voice summary, 60 s Ogg Opus', 20, rounds, () => oggOpusSummary(ogg)),
    measure('a copy of its bytes', 20, rounds, () => ogg.slice()),
  ]);
  report('Media previews (sender side)', rows, 'ms');
  const preview = imagePreview(codec, jpeg);
  const parts = previewParts(preview);
  const bytes = parts.reduce((n, p) => n + (p.kind === 'single' ? p.content.length : 0), 0);
  console.log(
    `picture ${jpeg.length} bytes; thumbnail ${preview.thumbnail?.width}×${preview.thumbnail?.height}, ` +
      `${preview.thumbnail?.bytes.length} bytes (limit ${PreviewLimits.maxThumbnailBytes}); ` +
      `preview parts ${bytes} bytes in the message; BlurHash ${preview.placeholder?.length} chars`,
  );
}
