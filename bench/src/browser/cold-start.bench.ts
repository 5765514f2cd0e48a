import { fileURLToPath } from 'node:url';
import { BenchBrowser } from './chromium.ts';
import type { ColdStartFigures, PageBench } from './page-api.ts';
import { format, goal } from '../measure.ts';
import { profileDirectory, profiled } from './page-profile.ts';

const PAGE = fileURLToPath(new URL('page/bench-page.ts', import.meta.url));

interface Bench {
  kithBench: PageBench;
}

/**
 * A tab's cold start: a device with 10 rooms of 10,000 messages (imported, as the client writes
 * them) is opened in a fresh tab; timed from the tab's navigation start (bundle loaded and run)
 * to every room listed with its latest message. Baseline: the same IndexedDB database read
 * raw, every key and value, in the same tab.
 */
export async function benchColdStart(quick: boolean): Promise<void> {
  const rooms = quick ? 3 : 10;
  const messages = quick ? 500 : 10_000;
  const opens = quick ? 1 : 3;
  const browser = await BenchBrowser.start(PAGE, profileDirectory() !== undefined);
  try {
    const name = `cold-${Date.now()}`;
    const writer = await browser.open();
    const written = await writer.evaluate(
      ([n, r, m]) => (globalThis as unknown as Bench).kithBench.populate(n, r, m),
      [name, rooms, messages] as const,
    );
    await writer.close();
    console.log(
      `\ncold start: ${rooms} rooms of ${messages} messages (written in ${format(written.ms / 1000)} s)`,
    );
    const runs: ColdStartFigures[] = [];
    for (let i = 0; i < opens; i++) {
      const tab = await browser.open();
      runs.push(
        await profiled(tab, `cold-start-${i}`, () =>
          tab.evaluate((n) => (globalThis as unknown as Bench).kithBench.coldStart(n), name),
        ),
      );
      await tab.close();
    }
    runs.sort((a, b) => a.sinceNavigationMs - b.sinceNavigationMs);
    const m = runs[Math.floor(runs.length / 2)];
    if (m === undefined) throw new Error('no cold start measured');
    console.log(
      `tab navigation → rooms shown: ${format(m.sinceNavigationMs)} ms (script loaded ${format(m.loadedMs)} ms, KithBrowser.open ${format(m.openMs)} ms, listing ${format(m.listMs)} ms); ${m.rooms} rooms, ${m.messages} messages in their timelines`,
    );
    console.log(
      `raw IndexedDB read of the same database: ${format(m.rawReadMs)} ms for ${format(m.rawBytes / 1e6)} MB; ratio ${(m.openMs / m.rawReadMs).toFixed(2)}`,
    );
    goal(`cold start, ${rooms} rooms of ${messages}`, m.sinceNavigationMs, { below: 1000 }, 'ms');
  } finally {
    await browser.stop();
  }
}
