import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ChatInPty, residentBytes, rpc } from './cli-chat.ts';
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
 * The terminal app as a person meets it, each figure beside `node -e 0` in the same run: the
 * one-shot calls `kith --help` and `kith whoami` against a running daemon (process start to
 * exit), how long the daemon takes to serve JSON-RPC, the chat's start to its first screen on
 * a warm data directory (in a pseudo-terminal), and the chat's memory after 100 pastes of 10 KB.
 */
export async function benchCliStart(quick: boolean): Promise<void> {
  const rounds = quick ? 3 : 9;
  const dir = await mkdtemp(join(tmpdir(), 'kith-bench-cli-'));
  try {
    const baseline = await samples(rounds, ['-e', '0']);
    await oneShotCalls(dir, rounds, baseline);
    await chatStart(dir, rounds, baseline);
    await chatPastes(dir, quick ? 30 : 100);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The network flags of every process here: loopback, no LAN discovery. */
const NETWORK = ['--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0'];

async function oneShotCalls(dir: string, rounds: number, baseline: number[]): Promise<void> {
  const daemon = spawn(
    process.execPath,
    [KITH, '--data-dir', dir, 'daemon', '--name', 'bench', ...NETWORK],
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
    console.log(`daemon start to serving JSON-RPC: ${(started.ns / 1e6).toFixed(0)} ms`);
    goal('kith whoami', ms(whoami), { below: 300 }, 'ms');
    goal('kith --help', ms(help), { below: 300 }, 'ms');
  } finally {
    daemon.kill('SIGTERM');
    await new Promise((resolve) => daemon.once('exit', resolve));
  }
}

/** The chat on the daemon's (now warm) data directory: process start to its status line. */
async function chatStart(dir: string, rounds: number, baseline: number[]): Promise<void> {
  const shown: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const start = process.hrtime.bigint();
    const chat = new ChatInPty(KITH, ['--data-dir', dir, ...NETWORK]);
    try {
      await chat.waitFor(/ bench · \d+ peers?/);
      shown.push(Number(process.hrtime.bigint() - start));
      const code = await chat.quit();
      if (code !== 0) throw new Error(`the chat exited ${code}`);
    } finally {
      chat.kill();
    }
  }
  report(
    `cli-start: the chat, process start to first screen, warm data directory (median of ${rounds})`,
    [[median('kith (chat in a pty)', shown), median('node -e 0', baseline)]],
    'ms',
  );
  goal('chat start to first screen', ms(shown), { below: 1500 }, 'ms');
}

/**
 * Pastes of 10 KB (bracketed, as a terminal sends them), each sent with Enter into a room of
 * one: the chat's resident memory before, and once the last is stored.
 */
async function chatPastes(dir: string, pastes: number): Promise<void> {
  const chat = new ChatInPty(KITH, ['--data-dir', dir, ...NETWORK]);
  try {
    await chat.waitFor(/ bench · \d+ peers?/);
    const roomId = ((await rpc(dir, 'createRoom', { name: 'pastes' })) as { roomId: string })
      .roomId;
    // The only room: the chat shows it, and what is typed goes there.
    await chat.waitFor(/pastes/);
    const before = await residentBytes(chat.pid);
    const line = 'All work and no play makes a dull messenger; paste it again. '.padEnd(79, '.');
    for (let i = 0; i < pastes; i++) {
      const marker = `paste-${i} `;
      const text = `${marker}${`${line}\n`.repeat(130)}`.slice(0, 10_240);
      chat.type(`\x1b[200~${text}\x1b[201~\r`);
      await untilLastMessage(dir, roomId, marker);
    }
    const after = await residentBytes(chat.pid);
    const mb = (bytes: number): string => (bytes / 2 ** 20).toFixed(0);
    console.log(
      `\ncli-start: chat resident memory: ${mb(before)} MB at first screen, ${mb(after)} MB after ${pastes} pastes of 10 KB (each sent)`,
    );
    goal(`chat memory after ${pastes} pastes of 10 KB`, after / 2 ** 20, { below: 250 }, 'MB');
    await chat.quit();
  } finally {
    chat.kill();
  }
}

/** Asks the chat until the room's newest message starts with `marker` (bounded). */
async function untilLastMessage(dir: string, roomId: string, marker: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const last = (await rpc(dir, 'messages', { roomId, limit: 1, markRead: false })) as {
      text: string;
    }[];
    if (last[0]?.text.startsWith(marker) === true) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`the chat did not send "${marker.trim()}" within a minute`);
}

const ms = (ns: readonly number[]): number => median('', ns).nsPerOp / 1e6;
