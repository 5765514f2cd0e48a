import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { spawn, type IPty } from '@lydell/node-pty';

/** `kith` (the chat) in a pseudo-terminal, as a person starts it; output kept raw. */
export class ChatInPty {
  readonly #pty: IPty;
  #out = '';
  #exit: Promise<number>;
  readonly #waits = new Set<() => void>();

  constructor(kith: string, args: readonly string[]) {
    this.#pty = spawn(process.execPath, [kith, ...args], {
      name: 'xterm-256color',
      cols: 120,
      rows: 40,
      env: { ...process.env, TERM: 'xterm-256color', LANG: 'C.UTF-8', KITH_NOTIFY: 'off' },
    });
    this.#pty.onData((data) => {
      // Only the last part matters to the waits: the screen is redrawn, not appended to.
      this.#out = (this.#out + data).slice(-65_536);
      for (const check of [...this.#waits]) check();
    });
    this.#exit = new Promise((resolve) => {
      this.#pty.onExit(({ exitCode }) => {
        resolve(exitCode);
      });
    });
  }

  get pid(): number {
    return this.#pty.pid;
  }

  /** Resolves once the output matches `pattern`; rejects after `ms`. */
  waitFor(pattern: RegExp, ms = 60_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!pattern.test(this.#out)) return;
        this.#waits.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waits.delete(check);
        const tail = JSON.stringify(this.#out.slice(-600));
        reject(new Error(`the chat did not show ${String(pattern)} within ${ms} ms: ${tail}`));
      }, ms);
      this.#waits.add(check);
      check();
    });
  }

  type(text: string): void {
    this.#pty.write(text);
  }

  /** /quit, then its exit code. */
  async quit(): Promise<number> {
    this.type('/quit\r');
    return this.#exit;
  }

  kill(): void {
    this.#pty.kill('SIGKILL');
  }
}

/** A process's resident memory (Linux: /proc), in bytes. */
export async function residentBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kb) * 1024;
}

/** Calls the JSON-RPC of the chat (or daemon) running on `dataDir`. */
export async function rpc(dataDir: string, method: string, params: object): Promise<unknown> {
  const port = Number((await readFile(join(dataDir, 'rpc-port'), 'utf8')).trim());
  const token = (await readFile(join(dataDir, 'rpc-token'), 'utf8')).trim();
  const payload = Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }));
  const body = await new Promise<string>((resolve, reject) => {
    const outgoing = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/',
        headers: {
          'content-type': 'application/json',
          'content-length': payload.length,
          authorization: `Bearer ${token}`,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          resolve(Buffer.concat(chunks).toString('utf8'));
        });
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(payload);
  });
  const reply = JSON.parse(body) as { result?: unknown; error?: { message: string } };
  if (reply.error !== undefined) throw new Error(`${method}: ${reply.error.message}`);
  return reply.result;
}
