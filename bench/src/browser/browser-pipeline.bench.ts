import { fileURLToPath } from 'node:url';
import { BenchBrowser } from './chromium.ts';
import type { PageBench } from './page-api.ts';
import { goal, report } from '../measure.ts';
import { profileDirectory, profiled } from './page-profile.ts';

const PAGE = fileURLToPath(new URL('page/bench-page.ts', import.meta.url));

/**
 * The send and receive pipeline of `pipeline` (write and sign, encrypt; decrypt, verify,
 * validate, apply), in Chromium: Kith with WebCrypto's Ed25519 (what KithBrowser installs) and
 * with noble's, against raw ts-mls carrying a payload of the same size, in the same page.
 */
export async function benchBrowserPipeline(quick: boolean): Promise<void> {
  const browser = await BenchBrowser.start(PAGE, profileDirectory() !== undefined);
  try {
    const page = await browser.open();
    const figures = await profiled(page, 'browser-pipeline', () =>
      page.evaluate(
        (q) => (globalThis as unknown as { kithBench: PageBench }).kithBench.pipeline(q),
        quick,
      ),
    );
    const primitives = await page.evaluate(
      (q) => (globalThis as unknown as { kithBench: PageBench }).kithBench.ed25519(q),
      quick,
    );
    console.log('\nEd25519 in Chromium, µs per operation (200-byte message):');
    for (const [name, us] of Object.entries(primitives)) {
      console.log(`  ${name.padEnd(30)}${us.toFixed(0).padStart(8)}`);
    }
    for (const f of figures) {
      const ns = (us: number): number => us * 1000;
      const raw = { name: 'ts-mls application message', nsPerOp: ns(f.rawUs) };
      report(
        `Chromium send and receive: ${f.workload} (${f.payloadBytes}-byte payload, 2 members)`,
        [
          [{ name: 'kith, WebCrypto Ed25519', nsPerOp: ns(f.webCryptoUs) }, raw],
          [{ name: 'kith, noble Ed25519', nsPerOp: ns(f.nobleUs) }, raw],
        ],
      );
      goal(
        `Chromium ${f.workload}: share of raw ts-mls`,
        (100 * f.rawUs) / f.webCryptoUs,
        { atLeast: 60 },
        '%',
      );
      console.log(`      with noble instead: ${((100 * f.rawUs) / f.nobleUs).toFixed(0)}%`);
      const phases = Object.entries(f.phasesUs)
        .map(([phase, us]) => `${phase} ${us.toFixed(0)}`)
        .join(', ');
      console.log(`      Kith with WebCrypto, µs per message by phase: ${phases}`);
    }
  } finally {
    await browser.stop();
  }
}
