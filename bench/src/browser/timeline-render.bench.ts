import { fileURLToPath } from 'node:url';
import { BenchBrowser } from './chromium.ts';
import { format } from '../measure.ts';
import type { TimelineFigures } from './timeline/timeline-page.tsx';

const PAGE = fileURLToPath(new URL('timeline/timeline-page.tsx', import.meta.url));

interface Bench {
  kithBench: { timeline: (messages: number, runs: number) => Promise<TimelineFigures> };
}

/**
 * Opening a room of 10,000 messages in the web messenger's timeline: from render to the last
 * screenful laid out, with the virtualised list (only the rows in view, and a margin, are in the
 * DOM) and, as the baseline in the same tab, every row rendered. Also: jumping from the end
 * to the top (the rows there drawn and measured).
 */
export async function benchTimelineRender(quick: boolean): Promise<void> {
  const messages = quick ? 2000 : 10_000;
  const browser = await BenchBrowser.start(PAGE);
  try {
    const tab = await browser.open();
    const f = await tab.evaluate(
      ([m, r]) => (globalThis as unknown as Bench).kithBench.timeline(m, r),
      [messages, 3] as const,
    );
    console.log(`\ntimeline of ${messages} messages in Chromium (median of runs):`);
    console.log(
      `virtualised: ${format(f.virtualMs)} ms, ${f.virtualRows} rows in the DOM; every row: ${format(f.fullMs)} ms, ${f.fullRows} rows; ratio ${(f.virtualMs / f.fullMs).toFixed(3)}`,
    );
    console.log(`jump from the end to the top, drawn: ${format(f.jumpMs)} ms`);
  } finally {
    await browser.stop();
  }
}
