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
if (unavailable !== undefined) console.warn(`skipping the mDNS LAN tests: ${unavailable}`);

// Devices find each other by mDNS alone: no bootstrap, no relay, no contact link, fresh data.
describe.skipIf(unavailable !== undefined)('Kith devices on one LAN (network namespaces)', () => {
  const namespaces: string[] = [];
  const running: DeviceProcess[] = [];
  let dataRoot = '';
  let dataDirs = 0;
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

  /** A data directory no device has used (a retry must not meet the last attempt's peers). */
  function freshDataDir(): string {
    dataDirs += 1;
    return join(dataRoot, `device-${dataDirs}`);
  }

  /** Starts the fixture device on host 0 or 1 of the LAN. */
  function start(name: string, host: 0 | 1, dataDir = freshDataDir()): DeviceProcess {
    const device = new DeviceProcess(
      name,
      lan.hosts[host],
      dataDir,
      `/ip4/${lan.addresses[host]}/tcp/0`,
    );
    running.push(device);
    return device;
  }

  async function ready(device: DeviceProcess): Promise<DeviceId> {
    const [report] = await all(running, [
      device.waitFor('ready', (r) => r.ready !== undefined, BOUND_MS),
    ]);
    const id = report?.ready;
    if (!isDeviceId(id)) throw new Error(`${device.name} is ready as "${String(id)}"`);
    return id;
  }

  /** `device` reports `other` connected, in a report from index `since` on. */
  function connection(device: DeviceProcess, other: DeviceId, since = 0) {
    return device.waitFor(`"connected": ${other}`, (r) => r.connected === other, BOUND_MS, since);
  }

  function connectedTo(device: DeviceProcess): string[] {
    return device.reports.flatMap((r) => r.connected ?? []);
  }

  it('a device that joins the LAN and the one already on it connect', async () => {
    const a = start('device-a', 0);
    const idA = await ready(a);
    const b = start('device-b', 1);
    const idB = await ready(b);
    expect(idA).not.toBe(idB);
    await all(running, [connection(a, idB), connection(b, idA)]);
    // Nothing else is on this link.
    expect(connectedTo(a)).toEqual([idB]);
    expect(connectedTo(b)).toEqual([idA]);
    // SIGTERM closes each cleanly (the fixture exits 1 if close() throws).
    const codes = await Promise.all([a.stop(), b.stop()]);
    expect(codes, `${a.describe()}\n${b.describe()}`).toEqual([0, 0]);
  });

  // Discoveries made while a device is still opening are dialled once it is open.
  it('two devices started at the same moment connect', async () => {
    const a = start('device-a', 0);
    const b = start('device-b', 1);
    const [idA, idB] = await Promise.all([ready(a), ready(b)]);
    await all(running, [connection(a, idB), connection(b, idA)]);
    const codes = await Promise.all([a.stop(), b.stop()]);
    expect(codes, `${a.describe()}\n${b.describe()}`).toEqual([0, 0]);
  });

  // A restarted device dials the peers it remembers; neither side waits for mDNS to re-announce.
  it('a device that restarts reconnects to the one still running', async () => {
    const a = start('device-a', 0);
    const idA = await ready(a);
    const bDir = freshDataDir();
    const b = start('device-b', 1, bDir);
    const idB = await ready(b);
    await all(running, [connection(a, idB), connection(b, idA)]);

    expect(await b.stop()).toBe(0);
    await all(running, [
      a.waitFor(`"disconnected": ${idB}`, (r) => r.disconnected === idB, BOUND_MS),
    ]);
    const sinceRestart = a.reports.length;
    const again = start('device-b (restarted)', 1, bDir);
    expect(await ready(again)).toBe(idB);
    await all(running, [connection(a, idB, sinceRestart), connection(again, idA)]);
  });
});

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
