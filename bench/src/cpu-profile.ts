import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';

/**
 * A CPU profile of one timed window of a benchmark (not of its setup), written to
 * `$KITH_BENCH_CPU_PROFILE/<name>.cpuprofile` when that variable names a directory; otherwise
 * nothing is recorded. Open it in Chrome's DevTools or read it with any .cpuprofile tool.
 */
export async function profileWindow(name: string): Promise<() => Promise<void>> {
  const dir = process.env['KITH_BENCH_CPU_PROFILE'];
  if (dir === undefined || dir === '') return () => Promise.resolve();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    await writeFile(join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  };
}
