import { fileURLToPath } from 'node:url';
import { bundle, bytesByPackage, gzipped } from './build.ts';
import { format, goal } from '../measure.ts';

const ENTRY = fileURLToPath(new URL('../../../packages/browser/src/index.ts', import.meta.url));

/**
 * The device as a web app ships it: @kith/browser's entry (core, runtime, libp2p with its
 * transports, IndexedDB storage) bundled by Vite for the browser, minified, then gzipped.
 */
export async function benchBundleSize(): Promise<void> {
  const built = await bundle({ device: ENTRY });
  let raw = 0;
  let zipped = 0;
  for (const bytes of built.files.values()) {
    raw += bytes.length;
    zipped += gzipped(bytes);
  }
  console.log(`\nbundle of @kith/browser (vite, minified): ${built.files.size} file(s)`);
  console.log(`minified ${kB(raw)} kB, gzipped ${kB(zipped)} kB`);
  console.log('largest packages (minified kB):');
  for (const [name, bytes] of bytesByPackage(built.chunks).slice(0, 12)) {
    console.log(`  ${name.padEnd(32)}${kB(bytes).padStart(8)}`);
  }
  goal('device bundle, gzipped', zipped / 1000, { below: 400 }, 'kB');
}

function kB(bytes: number): string {
  return format(bytes / 1000);
}
