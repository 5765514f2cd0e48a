import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { goal, median, report, timeOnce } from './measure.ts';

/** The `kith` command as a user runs it (a bundle in dist/ when built, else the sources). */
const KITH = fileURLToPath(new URL('../../apps/cli/bin/kith.js', import.meta.url));

/** Runs Node with `args` to its end; rejects on a non-zero exit. */
function run(args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`node ${args.join(' ')} exited ${String(code)}: ${stderr}`));
    });
  });
}

async function samples(rounds: number, args: readonly string[]): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < rounds; i++) out.push((await timeOnce(() => run(args))).ns);
  return out;
}

/**
 * The terminal app's one-shot calls, process start to exit: `kith --help` and `kith whoami`
 * against a running daemon, each against `node -e 0` in the same run; and how long the daemon
 * takes from start to serving JSON-RPC (a chat's start does the same work before its screen).
 */
export async function benchCliStart(quick: boolean): Promise<void> {
  const rounds = quick ? 3 : 9;
  const dir = await mkdtemp(join(tmpdir(), 'kith-bench-cli-'));
  const daemon = spawn(
    process.execPath,
    [
      KITH,
      '--data-dir',
      dir,
      'daemon',
      '--no-mdns',
      '--name',
      'bench',
      '--listen',
      '/ip4/127.0.0.1/tcp/0',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  try {
    const started = await timeOnce(
      () =>
        new Promise<void>((resolve, reject) => {
          let stderr = '';
          daemon.stderr.on('data', (chunk: Buffer) => {
            stderr += chunk.toString();
            if (stderr.includes('JSON-RPC on')) resolve();
          });
          daemon.on('exit', (code) => {
            reject(new Error(`the daemon exited ${String(code)}: ${stderr}`));
          });
        }),
    );
    await readFile(join(dir, 'rpc-port'), 'utf8');
    const baseline = await samples(rounds, ['-e', '0']);
    const help = await samples(rounds, [KITH, '--help']);
    const whoami = await samples(rounds, [KITH, '--data-dir', dir, 'whoami']);
    report(
      `cli-start: one-shot kith calls, process start to exit (median of ${rounds})`,
      [
        [median('kith --help', help), median('node -e 0', baseline)],
        [median('kith whoami (daemon running)', whoami), median('node -e 0', baseline)],
      ],
      'ms',
    );
    const ms = (ns: readonly number[]): number => median('', ns).nsPerOp / 1e6;
    console.log(`daemon start to serving JSON-RPC: ${(started.ns / 1e6).toFixed(0)} ms`);
    goal('kith whoami', ms(whoami), { below: 300 }, 'ms');
    goal('kith --help', ms(help), { below: 300 }, 'ms');
  } finally {
    daemon.kill('SIGTERM');
    await new Promise((resolve) => daemon.once('exit', resolve));
    await rm(dir, { recursive: true, force: true });
  }
}
