import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DeviceId, RoomId, UserId } from '@kith/core';

const FIXTURE = fileURLToPath(new URL('../fixtures/device-process.ts', import.meta.url));

/** How long a wait for another process may take before the test fails with what it waited for. */
const WAIT_MS = 30_000;

export interface Identity {
  readonly userId: UserId;
  readonly deviceId: DeviceId;
  readonly addresses: string[];
  readonly contactLink: string;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/**
 * A device process seen from the test: requests over IPC, and conditions re-checked on every
 * event the device reports (never on a timer), each bounded by a deadline.
 */
export class DeviceHandle {
  readonly name: string;
  readonly dataDir: string;
  readonly #network: DeviceNetwork;
  #child: ChildProcess;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  readonly #watchers = new Set<() => void>();
  /** Texts whose `send` resolved in the process (reported by `burst`). */
  readonly sent: string[] = [];
  readonly errors: string[] = [];
  readonly misbehaviours: string[] = [];
  identity!: Identity;

  private constructor(name: string, dataDir: string, network: DeviceNetwork, child: ChildProcess) {
    this.name = name;
    this.dataDir = dataDir;
    this.#network = network;
    this.#child = child;
  }

  /** Starts a device process on a new data directory, or on `dataDir` when given. */
  static async start(
    name: string,
    dataDir?: string,
    network: DeviceNetwork = {},
  ): Promise<DeviceHandle> {
    const dir = dataDir ?? (await mkdtemp(join(tmpdir(), `kith-${name}-`)));
    const handle = new DeviceHandle(name, dir, network, spawnDevice(dir, name, network));
    await handle.#attach();
    return handle;
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  call<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve, reject });
      this.#child.send({ id, method, params });
    });
  }

  /** Resolves once `check` holds, re-checking whenever the device reports an event. */
  async until(what: string, check: () => Promise<boolean>, timeoutMs = WAIT_MS): Promise<void> {
    if (await check()) return;
    await new Promise<void>((resolve, reject) => {
      let busy = false;
      let again = false;
      const timer = setTimeout(() => {
        this.#watchers.delete(watcher);
        reject(new Error(`${this.name}: timed out waiting for ${what}`));
      }, timeoutMs);
      const watcher = (): void => {
        if (busy) {
          again = true;
          return;
        }
        busy = true;
        check()
          .then((ok) => {
            busy = false;
            if (ok) {
              clearTimeout(timer);
              this.#watchers.delete(watcher);
              resolve();
            } else if (again) {
              again = false;
              watcher();
            }
          })
          .catch((error: unknown) => {
            clearTimeout(timer);
            this.#watchers.delete(watcher);
            reject(error instanceof Error ? error : new Error(String(error)));
          });
      };
      this.#watchers.add(watcher);
    });
  }

  texts(roomId: RoomId): Promise<string[]> {
    return this.call<string[]>('texts', { roomId });
  }

  /** Waits until the room's timeline holds every one of `texts`. */
  async hasAll(roomId: RoomId, texts: readonly string[]): Promise<void> {
    await this.until(`${texts.length} messages in ${roomId.slice(0, 8)}`, async () => {
      const have = new Set(await this.texts(roomId));
      return texts.every((t) => have.has(t));
    });
  }

  /** Asks the process to close cleanly and waits for it to exit. */
  async stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = this.#exited();
    await this.call('close').catch(() => undefined);
    await exited;
  }

  /** Kills the process with SIGKILL: no shutdown code runs. */
  async kill(): Promise<void> {
    const exited = this.#exited();
    this.#child.kill('SIGKILL');
    await exited;
  }

  /** Starts the process again on the same data directory. */
  async restart(): Promise<void> {
    this.#child = spawnDevice(this.dataDir, this.name, this.#network);
    await this.#attach();
  }

  async remove(): Promise<void> {
    await this.stop();
    await rm(this.dataDir, { recursive: true, force: true });
  }

  #exited(): Promise<void> {
    return new Promise((resolve) => {
      if (this.#child.exitCode !== null || this.#child.signalCode !== null) resolve();
      else
        this.#child.once('exit', () => {
          resolve();
        });
    });
  }

  async #attach(): Promise<void> {
    const child = this.#child;
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`${this.name} did not start: ${stderr}`));
      }, WAIT_MS);
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        for (const p of this.#pending.values()) {
          p.reject(new Error(`${this.name} exited (${code ?? signal}) ${stderr}`));
        }
        this.#pending.clear();
        reject(new Error(`${this.name} exited before it was ready (${code ?? signal}): ${stderr}`));
      });
      child.on('message', (raw) => {
        const m = raw as Record<string, unknown>;
        if (typeof m['id'] === 'number') {
          const pending = this.#pending.get(m['id']);
          this.#pending.delete(m['id']);
          if (m['error'] !== undefined) {
            const e = m['error'] as { message: string; code?: string };
            pending?.reject(Object.assign(new Error(e.message), { code: e.code }));
          } else pending?.resolve(m['result']);
          return;
        }
        if (m['event'] === 'ready') {
          clearTimeout(timer);
          resolve();
        }
        if (m['event'] === 'sent') this.sent.push(String(m['text']));
        if (m['event'] === 'error') this.errors.push(String(m['message']));
        if (m['event'] === 'misbehaviour') this.misbehaviours.push(String(m['reason']));
        for (const w of [...this.#watchers]) w();
      });
    });
    await ready;
    this.identity = await this.call<Identity>('whoami');
  }
}

/** Where a device process listens and which relays it uses (default: loopback TCP, none). */
export interface DeviceNetwork {
  readonly relays?: readonly string[];
  readonly listen?: readonly string[];
}

function spawnDevice(dataDir: string, name: string, network: DeviceNetwork): ChildProcess {
  return fork(FIXTURE, [dataDir, name, JSON.stringify(network)], {
    execArgv: ['--conditions=@kith/source'],
    // Structured clone: results may hold bigints (epochs) and bytes.
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  });
}

/** Starts `names.length` devices; the first adds every other as a contact (and they it). */
export async function startDevices(
  names: readonly string[],
  network: DeviceNetwork = {},
): Promise<DeviceHandle[]> {
  const devices = await Promise.all(names.map((n) => DeviceHandle.start(n, undefined, network)));
  const [first, ...rest] = devices;
  if (first === undefined) return devices;
  for (const d of rest) {
    await first.call('addContact', { link: d.identity.contactLink });
    await d.call('addContact', { link: first.identity.contactLink });
  }
  return devices;
}

export async function removeAll(devices: readonly DeviceHandle[]): Promise<void> {
  await Promise.all(devices.map((d) => d.remove()));
}
