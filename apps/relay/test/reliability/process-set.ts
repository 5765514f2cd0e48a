import { rm } from 'node:fs/promises';
import type { RelayProcess } from '../process/relay-process.ts';
import {
  DeviceHandle,
  type DeviceNetwork,
} from '../../../../packages/node/test/process/device-handle.ts';
import { startRelayAt } from '../store-and-forward/harness.ts';

/**
 * Every relay and device process one test file starts, through the shared launcher
 * (`@kith/node/process`, which starts each in its own process group), so that teardown kills
 * them all (SIGKILL to each group, whatever state it is in) and removes their data, even when
 * the test failed half-way.
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
   * Kills a relay with SIGKILL, as a crash would, and waits for its exit. The launcher sends
   * SIGKILL to the whole process group: the relay itself dies, not only the `kith-relay` bin
   * that started it (the bin passes SIGTERM on, but SIGKILL cannot be passed on).
   */
  async crash(relay: RelayProcess): Promise<void> {
    const exit = await relay.signal('SIGKILL');
    if (exit.signal !== 'SIGKILL') {
      throw new Error(`the relay ended with ${exit.code ?? exit.signal} before it was killed`);
    }
  }

  /** Kills whatever still runs (each process group) and removes every data directory. */
  async teardown(): Promise<void> {
    const dirs = new Set<string>();
    const ended = await Promise.allSettled([
      ...this.#devices.map(async (d) => {
        dirs.add(d.dataDir);
        await d.kill();
      }),
      // A relay that already exited is left as it is (its exit is known: no signal is sent).
      ...this.#relays.map(async (r) => {
        dirs.add(r.dataDir);
        await r.signal('SIGKILL');
      }),
    ]);
    await Promise.allSettled([...dirs].map((d) => rm(d, { recursive: true, force: true })));
    const failed = ended.find((e) => e.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  }
}
