import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDeviceId } from '@kith/core';
import { DeviceProcess } from './device-process.ts';
import { createLan, deleteNamespace, whyNoLan, type TwoHostLan } from './two-host-lan.ts';

// How long two devices get to find and connect to each other: queries go out every 500 ms,
// so this only runs out when discovery is broken.
const DISCOVERY_MS = 20_000;

const unavailable = whyNoLan();
if (unavailable !== undefined) console.warn(`skipping the mDNS LAN test: ${unavailable}`);

describe.skipIf(unavailable !== undefined)(
  'two Kith devices on one LAN (network namespaces)',
  () => {
    const namespaces: string[] = [];
    const devices: DeviceProcess[] = [];
    let dataRoot: string | undefined;
    let lan: TwoHostLan;

    beforeAll(async () => {
      dataRoot = await mkdtemp(join(tmpdir(), 'kith-mdns-'));
      lan = createLan(`mdns${process.pid}`, namespaces);
    });

    afterAll(async () => {
      // Devices first: a namespace with a process still in it outlives its deletion.
      await Promise.all(devices.map((d) => d.stop()));
      const failures = namespaces.flatMap((ns) => deleteNamespace(ns) ?? []);
      if (dataRoot !== undefined) await rm(dataRoot, { recursive: true, force: true });
      if (failures.length > 0) throw new Error(failures.join('\n'));
    });

    it('find each other by mDNS alone, connect, and close cleanly on SIGTERM', async () => {
      const root = dataRoot ?? '';
      const [a, b] = (['a', 'b'] as const).map((name, i) => {
        const device = new DeviceProcess(
          `device ${name}`,
          lan.hosts[i] ?? '',
          join(root, name),
          `/ip4/${lan.addresses[i] ?? ''}/tcp/0`,
        );
        devices.push(device);
        return device;
      });
      if (a === undefined || b === undefined) throw new Error('two devices were started');

      // Opening includes creating an identity; the bound covers that too.
      const [readyA, readyB] = await Promise.all([
        a.waitFor('ready', (r) => r.ready !== undefined, DISCOVERY_MS),
        b.waitFor('ready', (r) => r.ready !== undefined, DISCOVERY_MS),
      ]);
      const idA = readyA.ready;
      const idB = readyB.ready;
      expect(isDeviceId(idA) && isDeviceId(idB)).toBe(true);
      expect(idA).not.toBe(idB);

      // No bootstrap and no contact link: the only way either learns of the other is mDNS.
      const [seenByA, seenByB] = await Promise.all([
        a.waitFor(`"connected": ${String(idB)}`, (r) => r.connected === idB, DISCOVERY_MS),
        b.waitFor(`"connected": ${String(idA)}`, (r) => r.connected === idA, DISCOVERY_MS),
      ]);
      expect(seenByA.connected).toBe(idB);
      expect(seenByB.connected).toBe(idA);
      // Nothing else is on this link, so neither device connected to anything else.
      expect(a.reports.flatMap((r) => r.connected ?? [])).toEqual([idB]);
      expect(b.reports.flatMap((r) => r.connected ?? [])).toEqual([idA]);

      expect(await Promise.all([a.stop(), b.stop()])).toEqual([0, 0]);
    });
  },
);
