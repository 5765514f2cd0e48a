import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const RELAY_MAIN = fileURLToPath(new URL('../../../relay/src/main.ts', import.meta.url));

/** A `kith-relay` process on loopback for the demo, with its own data directory. */
export class DemoRelay {
  readonly dataDir: string;
  readonly address: string;
  readonly #child: ChildProcess;

  private constructor(dataDir: string, address: string, child: ChildProcess) {
    this.dataDir = dataDir;
    this.address = address;
    this.#child = child;
  }

  static async start(): Promise<DemoRelay> {
    const dataDir = await mkdtemp(join(tmpdir(), 'kith-demo-relay-'));
    const child = spawn(
      process.execPath,
      [
        '--conditions=@kith/source',
        RELAY_MAIN,
        '--data-dir',
        dataDir,
        '--listen',
        '/ip4/127.0.0.1/tcp/0',
        '--http',
        'off',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const address = await new Promise<string>((resolve, reject) => {
      let out = '';
      let err = '';
      const timer = setTimeout(() => {
        reject(new Error(`the relay did not start: ${err}`));
      }, 30_000);
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const line = out.split('\n').find((l) => l.includes('/p2p/'));
        if (line !== undefined) {
          clearTimeout(timer);
          resolve(line.trim());
        }
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the relay exited (${code}): ${err}`));
      });
    });
    return new DemoRelay(dataDir, address, child);
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode === null) {
      const exited = new Promise((resolve) => this.#child.once('exit', resolve));
      this.#child.kill('SIGTERM');
      await exited;
    }
    await rm(this.dataDir, { recursive: true, force: true });
  }
}
