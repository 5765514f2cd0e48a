import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DeviceId, RoomId, UserId } from '@kith/core';
import { launch, type LaunchedProcess } from '../../src/process/index.ts';

const FIXTURE = fileURLToPath(new URL('../fixtures/device-process.ts', import.meta.url));

/** How long a wait for another process may take before the test fails with what it waited for. */
const WAIT_MS = 30_000;

/**
 * How long a device process may take to start. Five starting at once took 3.6 s at a load
 * average of 8.7 on 2 cores (loading @kith/core and libp2p from source is most of it); this
 * leaves room for more, and still fails before the 60 s hook timeout, with the device's stderr.
 */
const START_MS = 45_000;

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
  #process!: LaunchedProcess;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  readonly #watchers = new Set<() => void>();
  /** Texts whose `send` resolved in the process (reported by `burst`). */
  readonly sent: string[] = [];
  readonly errors: string[] = [];
  readonly misbehaviours: string[] = [];
  identity!: Identity;

  private constructor(name: string, dataDir: string, network: DeviceNetwork) {
    this.name = name;
    this.dataDir = dataDir;
    this.#network = network;
  }

  /** Starts a device process on a new data directory, or on `dataDir` when given. */
  static async start(
    name: string,
    dataDir?: string,
    network: DeviceNetwork = {},
  ): Promise<DeviceHandle> {
    const dir = dataDir ?? (await mkdtemp(join(tmpdir(), `kith-${name}-`)));
    const handle = new DeviceHandle(name, dir, network);
    await handle.#launch();
    return handle;
  }

  get pid(): number | undefined {
    return this.#process.pid;
  }

  call<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      if (this.#process.exit !== undefined) {
        reject(this.#process.failure(`has exited: cannot call ${method}`));
        return;
      }
      this.#pending.set(id, { resolve: resolve, reject });
      this.#process.child.send({ id, method, params });
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

  /** Asks the process to close cleanly and waits for it to exit (killed if it hangs). */
  async stop(): Promise<void> {
    if (this.#process.exit !== undefined) return;
    await this.call('close').catch(() => undefined);
    await this.#process.ended();
  }

  /** Kills the process with SIGKILL: no shutdown code runs. */
  async kill(): Promise<void> {
    await this.#process.kill();
  }

  /** Starts the process again on the same data directory. */
  async restart(): Promise<void> {
    await this.#launch();
  }

  async remove(): Promise<void> {
    await this.stop();
    await rm(this.dataDir, { recursive: true, force: true });
  }

  async #launch(): Promise<void> {
    let attached: LaunchedProcess | undefined;
    let ready = false;
    await launch(
      {
        name: this.name,
        args: [
          '--conditions=@kith/source',
          FIXTURE,
          this.dataDir,
          this.name,
          JSON.stringify(this.#network),
        ],
        ipc: true,
        // Its log lines go to the test's output, as they come.
        stdout: 'inherit',
      },
      {
        what: `${this.name} to start`,
        ms: START_MS,
        check: (p) => {
          // First called as the process starts, before any message can arrive.
          if (attached !== p) {
            attached = p;
            this.#attach(p, () => {
              ready = true;
            });
          }
          return ready;
        },
      },
    );
    this.identity = await this.call<Identity>('whoami');
  }

  /** Takes `launched` as this device's process: its answers and events from now on. */
  #attach(launched: LaunchedProcess, onReady: () => void): void {
    this.#process = launched;
    const child = launched.child;
    child.on('exit', (code, signal) => {
      for (const p of this.#pending.values()) {
        p.reject(launched.failure(`exited (${code ?? signal}) before it answered`));
      }
      this.#pending.clear();
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
      if (m['event'] === 'ready') onReady();
      if (m['event'] === 'sent') this.sent.push(String(m['text']));
      if (m['event'] === 'error') this.errors.push(String(m['message']));
      if (m['event'] === 'misbehaviour') this.misbehaviours.push(String(m['reason']));
      for (const w of [...this.#watchers]) w();
    });
  }
}

/** Where a device process listens and which relays it uses (default: loopback TCP, none). */
export interface DeviceNetwork {
  readonly relays?: readonly string[];
  readonly listen?: readonly string[];
}

/** Starts `names.length` devices; the first adds every other as a contact (and they it). */
export async function startDevices(
  names: readonly string[],
  network: DeviceNetwork = {},
): Promise<DeviceHandle[]> {
  // At once (they mostly wait on IO); those that started are stopped if any fails.
  const started = await Promise.allSettled(
    names.map((n) => DeviceHandle.start(n, undefined, network)),
  );
  const devices = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed !== undefined) {
    await removeAll(devices);
    throw failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
  }
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
