import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, LaunchedProcess } from '@kith/node/process';
import { afterAll, describe, expect, it } from 'vitest';

const PACK = fileURLToPath(new URL('../bin/pack.js', import.meta.url));
const WAIT_MS = 120_000;
/** This Node first on PATH: the bins' `#!/usr/bin/env node` (and npm) run on it. */
const PATH = `${dirname(process.execPath)}${delimiter}${process.env['PATH'] ?? ''}`;
/** PATH, and none of the settings pnpm gives the scripts it runs (they are not npm's). */
const ENV: Record<string, string | undefined> = { PATH };
for (const key of Object.keys(process.env)) {
  if (key.toLowerCase().startsWith('npm_')) ENV[key] = undefined;
}

async function run(
  command: string,
  args: readonly string[],
): Promise<{ code: number | null; out: string }> {
  const p = LaunchedProcess.start({
    name: `${command} ${args.join(' ')}`,
    command,
    args,
    env: ENV,
  });
  const { code } = await p.ended(WAIT_MS);
  return { code, out: p.stdout + p.stderr };
}

/** Runs a program to its end outside the launcher, bounded; its output and exit code. */
function runPlain(
  command: string,
  args: readonly string[],
): Promise<{ code: number; out: string }> {
  const env = Object.fromEntries(
    Object.entries({ ...process.env, ...ENV }).filter(([, v]) => v !== undefined),
  );
  return new Promise((resolve) => {
    execFile(command, args, { env, timeout: WAIT_MS }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, out: stdout + stderr });
    });
  });
}

/**
 * `npm i -g` of the packed tarball into a fresh prefix, offline with an empty cache: nothing
 * can come from a registry, so the tarball alone must carry `kith` and `kith-relay`.
 */
describe('the npm package', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  it('installs offline from its tarball, and its kith and kith-relay run and meet', async () => {
    const base = await mkdtemp(join(tmpdir(), 'kith-pack-'));
    cleanup.push(() => rm(base, { recursive: true, force: true }));
    const packed = await run(process.execPath, [PACK, '--out', join(base, 'out')]);
    expect(packed.code).toBe(0);
    const tarball = packed.out.trim().split('\n').at(-1) ?? '';
    expect(tarball).toMatch(/kith-\d+\.\d+\.\d+\.tgz$/);

    const prefix = join(base, 'prefix');
    // Not through the launcher: its lifeline (in NODE_OPTIONS) would reach npm's install
    // scripts, which run without the launcher's stdin, and end them.
    const installed = await runPlain('npm', [
      'install',
      '--global',
      '--prefix',
      prefix,
      '--cache',
      join(base, 'empty-cache'),
      '--offline',
      '--no-audit',
      '--no-fund',
      tarball,
    ]);
    expect(installed.out).not.toMatch(/ERR!/);
    expect(installed.code).toBe(0);
    const kith = join(prefix, 'bin', 'kith');
    const relayBin = join(prefix, 'bin', 'kith-relay');
    expect((await run(kith, ['--version'])).out).toMatch(/^kith \d+\.\d+\.\d+/);
    expect((await run(relayBin, ['--help'])).out).toContain('kith-relay');

    // The installed relay and a daemon of the installed kith, on loopback.
    const relayDir = join(base, 'relay');
    const relay = await launch(
      {
        name: 'installed kith-relay',
        command: relayBin,
        args: ['--data-dir', relayDir, '--listen', '/ip4/127.0.0.1/tcp/0', '--http', 'off'],
        env: ENV,
      },
      {
        what: 'the relay to print its address',
        check: (p) => /\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\/\S+\n/.test(p.stdout),
        ms: WAIT_MS,
      },
    );
    cleanup.push(() => relay.stop('SIGTERM'));
    const address = /\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\/\S+/.exec(relay.stdout)?.[0] ?? '';
    const dir = join(base, 'device');
    const daemon = await launch(
      {
        name: 'installed kith daemon',
        command: kith,
        args: ['--data-dir', dir, 'daemon', '--name', 'npm', '--no-mdns', '--relay', address],
        env: ENV,
      },
      { what: 'the daemon to serve', check: (p) => p.stderr.includes('JSON-RPC on'), ms: WAIT_MS },
    );
    cleanup.push(() => daemon.stop('SIGTERM'));
    const who = await run(kith, ['--data-dir', dir, 'whoami', '--json']);
    expect(who.code).toBe(0);
    expect(JSON.parse(who.out)).toMatchObject({ displayName: 'npm' });
    const relays = await run(kith, ['--data-dir', dir, 'relays', '--json']);
    expect(relays.code).toBe(0);
    const peerId = address.split('/p2p/')[1];
    expect(JSON.parse(relays.out)).toEqual({ relays: [expect.objectContaining({ peerId })] });
  });
});
