import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { selfSignedFor127 } from '../../../../apps/relay/test/tls/self-signed.ts';

const RELAY_MAIN = fileURLToPath(new URL('../../../../apps/relay/src/main.ts', import.meta.url));

/**
 * A real `kith-relay` process on loopback for the browser tests: WebSockets only (what a
 * browser can dial), its own data directory, removed on stop. With `tls`, secure WebSockets
 * too, with a self-signed certificate made here (the test browser ignores certificate errors).
 */
export class RelayProcess {
  /** The ws:// address; the wss:// one when started with `tls`. */
  readonly address: string;
  readonly #dataDir: string;
  readonly #child: ChildProcess;

  private constructor(dataDir: string, address: string, child: ChildProcess) {
    this.#dataDir = dataDir;
    this.address = address;
    this.#child = child;
  }

  static async start(options: { readonly tls?: boolean } = {}): Promise<RelayProcess> {
    const dataDir = await mkdtemp(join(tmpdir(), 'kith-browser-relay-'));
    const tls: string[] = [];
    if (options.tls === true) {
      const pair = await selfSignedFor127('browser test relay');
      await writeFile(join(dataDir, 'cert.pem'), pair.cert);
      await writeFile(join(dataDir, 'key.pem'), pair.key);
      tls.push('--listen', '/ip4/127.0.0.1/tcp/0/tls/ws');
      tls.push('--tls-cert', join(dataDir, 'cert.pem'), '--tls-key', join(dataDir, 'key.pem'));
    }
    const wanted = options.tls === true ? '/tls/ws/p2p/' : '/ws/p2p/';
    const child = spawn(
      process.execPath,
      [
        '--conditions=@kith/source',
        RELAY_MAIN,
        '--data-dir',
        dataDir,
        '--listen',
        '/ip4/127.0.0.1/tcp/0/ws',
        '--http',
        'off',
        // Every test device connects from 127.0.0.1.
        '--connections-per-second-per-ip',
        '1000',
        ...tls,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      const address = await new Promise<string>((resolve, reject) => {
        let out = '';
        let err = '';
        const timer = setTimeout(() => {
          reject(new Error(`the relay did not start within 60 s: ${err}`));
        }, 60_000);
        child.stderr.on('data', (c: Buffer) => (err += c.toString()));
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          const line = out.split('\n').find((l) => l.includes(wanted));
          if (line === undefined) return;
          clearTimeout(timer);
          resolve(line.trim());
        });
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`the relay exited (${String(code)}): ${err}`));
        });
      });
      return new RelayProcess(dataDir, address, child);
    } catch (error) {
      child.kill('SIGKILL');
      await rm(dataDir, { recursive: true, force: true });
      throw error;
    }
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) {
      const exited = new Promise((resolve) => this.#child.once('exit', resolve));
      this.#child.kill('SIGTERM');
      await exited;
    }
    await rm(this.#dataDir, { recursive: true, force: true });
  }
}
