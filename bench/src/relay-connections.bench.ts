import { multiaddr } from '@multiformats/multiaddr';
import type { DeviceLibp2p } from '@kith/node';
import { describeRetries, pingOnce, relayDevice, spreadLoopbackSources } from './relay-clients.ts';
import { format, goal } from './measure.ts';
import { stopAll } from './node-fixtures.ts';
import { RelayProcess, type RelayMetrics } from './relay-process.ts';

/**
 * Devices opened at once. The relay accepts at most 10 inbound connections in their handshake
 * (libp2p's `maxIncomingPendingConnections`); more would be refused and retried.
 */
const CONCURRENCY = 8;
/** Attempts per device: a dial the relay refuses (busy, see above) is tried again. */
const ATTEMPTS = 4;
const PHASE_MS = 120_000;
/** Devices of each kind connected before the baseline is read. */
const WARM_UP = 10;

/**
 * Connections and circuit reservations a real `kith-relay` process holds, and the memory they
 * cost it. Device libp2p nodes (`createDeviceLibp2p`, as @kith/node builds them, in this
 * process) connect to the relay on loopback: first half of them with a plain connection, then
 * the other half as devices reachable only through the relay (listening on
 * `<relay>/p2p-circuit`, which makes a reservation). The relay's `/metrics` is read after a
 * full GC when idle, after each half, and once every device has pinged the relay over its
 * connection (they are held, and usable). Memory per connection is the first half's growth
 * over the idle relay divided by its devices; per reservation, what the second half's devices
 * cost beyond a connection.
 *
 * The relay runs with its defaults but `circuit.maxReservations` (256 by default: fewer than
 * half of 1,000 devices). Each device's connection comes from its own loopback address
 * (`spreadLoopbackSources`): libp2p refuses more than 5 new connections a second from one IP.
 */
export async function benchRelayConnections(quick: boolean): Promise<void> {
  const total = quick ? 100 : 1000;
  const plain = total / 2 - WARM_UP;
  const reserving = total / 2 - WARM_UP;
  const relay = await RelayProcess.start({
    args: ['--circuit-max-reservations', String(total / 2)],
    cpuProfileDir: process.env['KITH_BENCH_RELAY_PROFILE'],
  });
  const sources = spreadLoopbackSources();
  const devices: DeviceLibp2p[] = [];
  let retries = 0;
  const pingRetries = new Map<string, number>();
  const openPlain = async (n: number): Promise<void> => {
    retries += await openDevices(n, devices, async () => {
      const node = await relayDevice();
      try {
        await node.dial(multiaddr(relay.address), { signal: AbortSignal.timeout(15_000) });
      } catch (error) {
        await node.stop();
        throw error;
      }
      return node;
    });
  };
  const openReserving = async (n: number): Promise<void> => {
    retries += await openDevices(n, devices, async () => {
      const node = await relayDevice([relay.address]);
      // Starting waits for the reservation; a refused one leaves no circuit address.
      if (!node.getMultiaddrs().some((a) => a.toString().includes('/p2p-circuit'))) {
        await node.stop();
        throw new Error('no reservation');
      }
      return node;
    });
  };
  const until = (connections: number, reservations: number): Promise<RelayMetrics> =>
    relay.metricsWhen(
      `${connections} connections and ${reservations} reservations`,
      (m) => m.connections === connections && m.reservations === reservations,
      PHASE_MS,
    );
  /** Each device pings the relay over its connection: held, usable, identify done. */
  const pingAll = async (from: number): Promise<number> => {
    const start = performance.now();
    await inBatches(devices.slice(from), async (node) => {
      const relayPeer = node.getConnections()[0]?.remotePeer;
      if (relayPeer === undefined) throw new Error('a device lost its connection to the relay');
      await pingOnce(node, relayPeer, pingRetries);
    });
    return performance.now() - start;
  };
  try {
    const idle = await relay.metricsAfterGc();
    // Warm-up: the relay's first connections compile code and fill pools (not per connection).
    await openPlain(WARM_UP);
    await openReserving(WARM_UP);
    await until(2 * WARM_UP, WARM_UP);
    await pingAll(0);
    const warm = await relay.metricsAfterGc();

    const plainStart = performance.now();
    await openPlain(plain);
    await until(2 * WARM_UP + plain, WARM_UP);
    const plainMs = performance.now() - plainStart;
    await pingAll(2 * WARM_UP);
    const connected = await relay.metricsAfterGc();

    const reservingStart = performance.now();
    await openReserving(reserving);
    await until(total, total / 2);
    const reservingMs = performance.now() - reservingStart;
    await pingAll(2 * WARM_UP + plain);
    const reserved = await relay.metricsAfterGc();

    // Held: every device reaches the relay again over the connection it has.
    const pingMs = await pingAll(0);
    const held = await relay.metricsAfterGc();

    printFigures({ total, plain, reserving, idle, warm, connected, reserved, held });
    console.log(
      `setup: ${plain} plain connections in ${format(plainMs / 1000)} s ` +
        `(${format((plain * 1000) / plainMs)}/s), ${reserving} with reservations in ` +
        `${format(reservingMs / 1000)} s (${format((reserving * 1000) / reservingMs)}/s), ` +
        `${retries} dials retried; every device pinged the relay in ${format(pingMs)} ms ` +
        `(pings retried: ${describeRetries(pingRetries)})`,
    );
    goal(
      `${total.toLocaleString('en')} connected devices held`,
      Math.min(held.connections, reserved.connections),
      { atLeast: total },
      'connections',
    );
  } finally {
    sources.restore();
    await stopAll(devices);
    await relay.stop();
  }
}

/**
 * Opens `count` devices with `open`, CONCURRENCY at a time, each tried up to ATTEMPTS times;
 * adds them to `into` and returns how many attempts failed and were retried.
 */
async function openDevices(
  count: number,
  into: DeviceLibp2p[],
  open: () => Promise<DeviceLibp2p>,
): Promise<number> {
  let retries = 0;
  await inBatches(
    Array.from({ length: count }, (_, i) => i),
    async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          into.push(await open());
          return;
        } catch (error) {
          if (attempt === ATTEMPTS) {
            throw new Error(`a device could not connect in ${ATTEMPTS} attempts`, {
              cause: error,
            });
          }
          retries++;
        }
      }
    },
  );
  return retries;
}

/** Runs `work` on every item, CONCURRENCY at a time. */
async function inBatches<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await work(item);
      }
    }),
  );
}

function printFigures(f: {
  total: number;
  plain: number;
  reserving: number;
  idle: RelayMetrics;
  warm: RelayMetrics;
  connected: RelayMetrics;
  reserved: RelayMetrics;
  held: RelayMetrics;
}): void {
  const kb = (bytes: number): string => `${format(bytes / 1024)} KiB`;
  const mb = (bytes: number): string => `${format(bytes / 1024 / 1024)} MiB`;
  const row = (label: string, m: RelayMetrics): string =>
    `${label.padEnd(34)}${String(m.connections).padStart(12)}${String(m.reservations).padStart(14)}` +
    [m.rssBytes, m.heapTotalBytes, m.heapUsedBytes, m.externalBytes]
      .map((bytes) => mb(bytes).padStart(12))
      .join('');
  console.log(
    `\nrelay-connections: a kith-relay process holding ${f.total.toLocaleString('en')} device ` +
      `connections, ${(f.total / 2).toLocaleString('en')} of them with circuit reservations ` +
      `(its /metrics, after a full GC)`,
  );
  console.log(
    `${'relay'.padEnd(34)}${'connections'.padStart(12)}${'reservations'.padStart(14)}` +
      ['rss', 'heap total', 'heap used', 'external'].map((h) => h.padStart(12)).join(''),
  );
  console.log(row('idle', f.idle));
  console.log(row(`warmed up (baseline)`, f.warm));
  console.log(row(`+ ${f.plain} plain connections`, f.connected));
  console.log(row(`+ ${f.reserving} with reservations`, f.reserved));
  console.log(row('every device pinged it again', f.held));
  const per = (from: RelayMetrics, to: RelayMetrics, devices: number): string =>
    `${kb((to.rssBytes - from.rssBytes) / devices)} resident, ` +
    `${kb((to.heapUsedBytes - from.heapUsedBytes) / devices)} heap used`;
  console.log(
    `per device, all ${f.plain + f.reserving}: ${per(f.warm, f.held, f.plain + f.reserving)}; ` +
      `plain connections ${per(f.warm, f.connected, f.plain)}; devices with a reservation ` +
      `${per(f.connected, f.reserved, f.reserving)} (the reservation's own cost is the ` +
      `difference of the last two)`,
  );
  console.log(
    `relay idle ${mb(f.idle.rssBytes)} resident; with ${f.total.toLocaleString('en')} devices ` +
      `${mb(f.held.rssBytes)}, ${format(f.held.rssBytes / f.idle.rssBytes)}× the idle relay`,
  );
}
