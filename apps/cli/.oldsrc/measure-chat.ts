// Ad hoc: chat start to first screen, and RSS after 100 pastes of 10 KB (each cleared with Ctrl-U).
import { spawn } from '@lydell/node-pty';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [entry = 'bin', pastes = '100'] = process.argv.slice(2);
const args =
  entry === 'bin'
    ? [new URL('../bin/kith.js', import.meta.url).pathname]
    : ['--conditions=@kith/source', '--disable-warning=ExperimentalWarning', new URL('./main.ts', import.meta.url).pathname];
const dir = await mkdtemp(join(tmpdir(), 'kith-measure-'));
const rss = async (pid: number): Promise<number> =>
  Number(/VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;
async function run(label: string): Promise<void> {
  const t0 = performance.now();
  const pty = spawn(process.execPath, [...args, '--data-dir', dir, '--name', 'm', '--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0'], { cols: 100, rows: 30, env: { ...process.env, TERM: 'xterm-256color' } });
  let out = '';
  await new Promise<void>((resolve) => {
    pty.onData((d) => {
      out += d;
      if (out.includes('/help for commands')) resolve();
    });
  });
  const started = performance.now() - t0;
  const before = await rss(pty.pid);
  const chunk = `\x1b[200~${'0123456789'.repeat(1024)}\x1b[201~\x15`;
  for (let i = 0; i < Number(pastes); i++) {
    pty.write(chunk);
    await new Promise((r) => setTimeout(r, 20));
  }
  await new Promise((r) => setTimeout(r, 1000));
  const after = await rss(pty.pid);
  console.log(`${label}: first screen ${started.toFixed(0)} ms, RSS ${before.toFixed(0)} MB -> ${after.toFixed(0)} MB after ${pastes} pastes of 10 KB`);
  pty.kill('SIGTERM');
  await new Promise<void>((resolve) => pty.onExit(() => resolve()));
}
await run('cold data dir');
await run('warm data dir');
await rm(dir, { recursive: true, force: true });
