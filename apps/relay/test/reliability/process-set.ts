import { readFile, rm } from 'node:fs/promises';
import type { RelayProcess } from '../process/relay-process.ts';
import {
  DeviceHandle,
  type DeviceNetwork,
} from '../../../../packages/node/test/process/device-handle.ts';
import { startRelayAt } from '../store-and-forward/harness.ts';

/**
 * Every relay and device process one test file starts, so that teardown kills them all
 * (SIGKILL, whatever state they are in) and removes their data, even when the test failed
 * half-way. The one place these tests start processes: switch it to the shared launcher.
 */
export class ProcessSet {
  readonly #relays: RelayProcess[] = [];
  readonly #devices: DeviceHandle[] = [];

  /** A relay on a fixed loopback port (restartable in place, on `dataDir` when given). */
  async relayAt(port: number, dataDir?: string): Promise<{ relay: RelayProcess; address: string }> {
    const started = await startRelayAt(port, dataDir === undefined ? {} : { dataDir });
    this.#relays.push(started.relay);
    return started;
  }

  async device(name: string, network: DeviceNetwork): Promise<DeviceHandle> {
    const device = await DeviceHandle.start(name, undefined, network);
    this.#devices.push(device);
    return device;
  }

  /**
   * Kills a relay with SIGKILL, as a crash would: the relay itself, not only the `kith-relay`
   * bin that started it (the bin passes SIGTERM on, but SIGKILL cannot be passed on).
   */
  async crash(relay: RelayProcess): Promise<void> {
    const closed = closedOf(relay);
    await killTree(relay.child.pid);
    await closed;
  }

  /** Kills whatever still runs (with its children) and removes every data directory. */
  async teardown(): Promise<void> {
    const dirs = new Set<string>();
    await Promise.allSettled([
      ...this.#devices.map(async (d) => {
        dirs.add(d.dataDir);
        await killTree(d.pid);
        await d.kill();
      }),
      ...this.#relays.map(async (r) => {
        dirs.add(r.dataDir);
        if (running(r)) await this.crash(r);
      }),
    ]);
    await Promise.allSettled([...dirs].map((d) => rm(d, { recursive: true, force: true })));
  }
}

function running(relay: RelayProcess): boolean {
  return relay.child.exitCode === null && relay.child.signalCode === null;
}

function closedOf(relay: RelayProcess): Promise<void> {
  return new Promise((resolve) => {
    if (!running(relay)) resolve();
    else
      relay.child.once('exit', () => {
        resolve();
      });
  });
}

/** SIGKILL to a process and every descendant (children first, so none is orphaned alive). */
async function killTree(pid: number | undefined): Promise<void> {
  if (pid === undefined) return;
  const children = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  for (const child of children.split(' ').filter((c) => c !== '')) await killTree(Number(child));
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
