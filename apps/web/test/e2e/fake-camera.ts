import { writeFile } from 'node:fs/promises';
import { encode } from 'uqr';

const WIDTH = 640;
const HEIGHT = 480;

/**
 * Writes a Y4M video (what Chromium's fake camera plays, looping) of one frame: `text` as a
 * QR code, black on white, centred. Only luma carries the picture; chroma is neutral grey.
 */
export async function writeQrVideo(path: string, text: string): Promise<void> {
  const { data, size } = encode(text, { ecc: 'L', border: 4 });
  const module = Math.floor(Math.min(WIDTH, HEIGHT) / size);
  if (module < 2) throw new Error(`a QR code of ${size} modules does not fit ${WIDTH}x${HEIGHT}`);
  const left = Math.floor((WIDTH - size * module) / 2);
  const top = Math.floor((HEIGHT - size * module) / 2);
  const luma = new Uint8Array(WIDTH * HEIGHT).fill(235);
  for (let y = 0; y < size * module; y++) {
    const row = data[Math.floor(y / module)] ?? [];
    for (let x = 0; x < size * module; x++) {
      if (row[Math.floor(x / module)] === true) luma[(top + y) * WIDTH + left + x] = 16;
    }
  }
  const chroma = new Uint8Array((WIDTH / 2) * (HEIGHT / 2) * 2).fill(128);
  await writeFile(
    path,
    Buffer.concat([
      Buffer.from(`YUV4MPEG2 W${WIDTH} H${HEIGHT} F10:1 Ip A1:1 C420jpeg\n`),
      Buffer.from('FRAME\n'),
      luma,
      chroma,
    ]),
  );
}
