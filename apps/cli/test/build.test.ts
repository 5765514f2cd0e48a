import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, LaunchedProcess } from '@kith/node/process';
import { afterAll, describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('..', import.meta.url));
const WAIT_MS = 60_000;

async function run(args: readonly string[]): Promise<{ code: number | null; out: string }> {
  const p = LaunchedProcess.start({ name: `node ${args.join(' ')}`, args });
  const { code } = await p.ended(WAIT_MS);
  return { code, out: p.stdout + p.stderr };
}

/** The bundle bin/kith.js prefers to the sources: built, then run as a daemon and a shell. */
describe('the build', () => {
  // Inside the package, so the bundle finds the native LevelDB addon as dist/ does.
  const out = join(CLI, 'dist', `test-${process.pid}`);
  const cleanup: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  it('bundles kith into chunks that run the daemon and one-shot calls', async () => {
    cleanup.push(() => rm(out, { recursive: true, force: true }));
    const built = await run([join(CLI, 'bin/build.js'), '--out', out]);
    expect(built.out).toContain('kith: built');
    expect(built.code).toBe(0);
    const main = join(out, 'main.js');
    const help = await run([main, '--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('createRoom');

    const dir = await mkdtemp(join(tmpdir(), 'kith-build-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const daemon = await launch(
      {
        name: 'built daemon',
        args: [
          main,
          '--data-dir',
          dir,
          'daemon',
          '--name',
          'bundled',
          '--no-mdns',
          '--listen',
          '/ip4/127.0.0.1/tcp/0',
        ],
      },
      { what: 'the daemon to serve', check: (p) => p.stderr.includes('JSON-RPC on'), ms: WAIT_MS },
    );
    cleanup.push(() => daemon.stop('SIGTERM'));
    const who = await run([main, '--data-dir', dir, 'whoami', '--json']);
    expect(who.code).toBe(0);
    expect(JSON.parse(who.out)).toMatchObject({ displayName: 'bundled' });
  });
});
