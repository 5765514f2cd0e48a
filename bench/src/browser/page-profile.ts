import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';

/** KITH_BENCH_CPU_PROFILE=DIR: where CPU profiles of the timed parts go (none when unset). */
export function profileDirectory(): string | undefined {
  const dir = process.env['KITH_BENCH_CPU_PROFILE'];
  return dir === undefined || dir === '' ? undefined : dir;
}

/**
 * Runs `work` under Chromium's sampling profiler when KITH_BENCH_CPU_PROFILE is set, and
 * writes `DIR/<name>.cpuprofile` (open it in Chrome's DevTools, Performance panel).
 */
export async function profiled<T>(page: Page, name: string, work: () => Promise<T>): Promise<T> {
  const dir = profileDirectory();
  if (dir === undefined) return work();
  const session = await page.context().newCDPSession(page);
  await session.send('Profiler.enable');
  await session.send('Profiler.setSamplingInterval', { interval: 100 });
  await session.send('Profiler.start');
  try {
    return await work();
  } finally {
    const { profile } = await session.send('Profiler.stop');
    const file = join(dir, `${name}.cpuprofile`);
    await writeFile(file, JSON.stringify(profile));
    console.log(`CPU profile: ${file}`);
    await session.detach();
  }
}
