import { performance } from 'node:perf_hooks';
import type { KithNode } from '@kith/node';
import type { RoomId } from '@kith/core';
import { profileWindow } from './cpu-profile.ts';
import { goal, report, type Measurement } from './measure.ts';
import {
  addedTexts,
  asError,
  indexedPayload,
  openDevice,
  payloadIndex,
  percentile,
  rawMesh,
  roomOf,
  settle,
  stopAll,
  TempDirs,
  watchCiphertextSizes,
  waitUntil,
} from './node-fixtures.ts';

const DEVICES = 10;
const SETUP_MS = 60_000;
/**
 * The rate, one message every 20 ms, and a slower one, measured first. Ten devices in one
 * process share one thread, and at 20 ms Kith's work for the nine receivers of each message
 * outruns it: its latency there is mostly queueing. At 100 ms the thread keeps up.
 */
const INTERVALS_MS = [100, 20] as const;

/**
 * Ten devices of ten users on loopback, in this process, in one room: a message every 100 ms
 * (then every 20 ms) from each device in turn, and the time from `send` being called to the
 * message being applied (its `timeline` event) on each of the other nine. The baseline is ten
 * raw libp2p nodes of the same stack, all connected: `publish` to the `message` event on each
 * subscriber, at the same rate, with payloads of the size of a Kith message's ciphertext. One
 * process means one JavaScript thread for all ten: latency includes waiting behind the other
 * devices' work, on both sides; the share of time that thread was busy is printed.
 */
export async function benchDeliveryLatency(quick: boolean): Promise<void> {
  const count = quick ? 60 : 300;
  const dirs = new TempDirs();
  const nodes: KithNode[] = [];
  const kith: Run[] = [];
  let sizes = { median: (): number => 0 };
  try {
    for (let i = 0; i < DEVICES; i++) {
      nodes.push(await openDevice(await dirs.make(`latency-${i}`), `device ${i}`));
    }
    const roomId = await roomOf(nodes, SETUP_MS);
    // The ciphertext a message travels in, as another device's gossipsub hands it over.
    const second = nodes[1];
    if (second !== undefined) sizes = watchCiphertextSizes(second, roomId);
    // Warm-up: JIT, streams, first ratchet steps.
    await kithRun(nodes, roomId, 'warm-up', DEVICES * 2, INTERVALS_MS[0]);
    for (const interval of INTERVALS_MS) {
      await settle(nodes, roomId);
      const stopProfile = await profileWindow(`delivery-latency-${interval}ms`);
      kith.push(await kithRun(nodes, roomId, `every ${interval} ms`, count, interval));
      await stopProfile();
    }
  } finally {
    await Promise.allSettled(nodes.map((n) => n.close()));
    await dirs.removeAll();
  }
  const size = sizes.median();
  const raw = await rawRuns(size, count);
  INTERVALS_MS.forEach((interval, i) => {
    const [k, r] = [kith[i], raw[i]];
    if (k === undefined || r === undefined) return;
    report(
      `delivery latency, a message every ${interval} ms: ${DEVICES} devices in one room, ` +
        `${count} messages sent by each device in turn, ${size}-byte ciphertext, ` +
        `${k.samples} deliveries`,
      [
        [ms('kith p50: send → applied', k.p50), ms('gossipsub p50: publish → message', r.p50)],
        [ms('kith p99', k.p99), ms('gossipsub p99', r.p99)],
      ],
      'ms',
    );
    console.log(
      `max latency kith ${k.max.toFixed(1)} ms, gossipsub ${r.max.toFixed(1)} ms; thread busy ` +
        `kith ${percent(k.busy)}, gossipsub ${percent(r.busy)} (first send to last delivery); ` +
        `CPU per delivery kith ${k.cpuPerDelivery.toFixed(2)} ms, gossipsub ` +
        `${r.cpuPerDelivery.toFixed(2)} ms (${(k.cpuPerDelivery / r.cpuPerDelivery).toFixed(1)}×)`,
    );
    goal(
      `every ${interval} ms: p50 latency, kith / raw gossipsub`,
      k.p50 / r.p50,
      { below: 5 },
      '×',
    );
  });
}

interface Run {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly samples: number;
  /** The share of time the event loop was busy, from the first send to the last delivery. */
  readonly busy: number;
  /**
   * The process's CPU time (every thread) per delivery over the same window: unlike latency,
   * it hardly moves with other jobs on the machine, so it compares runs on a busy one.
   */
  readonly cpuPerDelivery: number;
}

async function kithRun(
  nodes: readonly KithNode[],
  roomId: RoomId,
  label: string,
  count: number,
  interval: number,
): Promise<Run> {
  const sent = new Map<string, { at: number; sender: number }>();
  const latencies: number[] = [];
  const offs = nodes.map((node, k) =>
    node.client.on('timeline', (e) => {
      const now = performance.now();
      for (const text of addedTexts(e.changes)) {
        const s = sent.get(text);
        if (s !== undefined && s.sender !== k) latencies.push(now - s.at);
      }
    }),
  );
  try {
    const failures: unknown[] = [];
    const busy = busyMeter();
    await paced(count, interval, (i) => {
      const sender = i % nodes.length;
      const text = `${label}, message ${i}: the quick brown fox jumps over the lazy dog`;
      sent.set(text, { at: performance.now(), sender });
      nodes[sender]?.client.send(roomId, text).catch((e: unknown) => failures.push(e));
    });
    await waitUntil(
      `${count} messages (${label}) to reach ${nodes.length - 1} devices each`,
      60_000 + count * interval * 10,
      noFailures(failures, () => latencies.length === count * (nodes.length - 1)),
      (recheck) => {
        const recheckOffs = nodes.map((n) => n.client.on('timeline', recheck));
        return () => {
          for (const off of recheckOffs) off();
        };
      },
    );
    return summarize(latencies, busy());
  } finally {
    for (const off of offs) off();
  }
}

/** The raw runs, one per interval, on one set of nodes (after a warm-up, as on Kith's side). */
async function rawRuns(size: number, count: number): Promise<Run[]> {
  const topic = 'kith-bench/latency';
  const nodes = await rawMesh(DEVICES, topic, SETUP_MS);
  try {
    // Indices go on from run to run: gossipsub drops a payload it has seen before.
    let next = 0;
    const sentAt = new Map<number, number>();
    const latencies: number[] = [];
    for (const node of nodes) {
      node.services.pubsub.addEventListener('message', (e) => {
        const at = sentAt.get(payloadIndex(e.detail.data));
        if (at !== undefined) latencies.push(performance.now() - at);
      });
    }
    const publish = async (count: number, interval: number): Promise<Run> => {
      latencies.length = 0;
      sentAt.clear();
      const failures: unknown[] = [];
      const busy = busyMeter();
      await paced(count, interval, (i) => {
        const index = next++;
        const payload = indexedPayload(size, index);
        sentAt.set(index, performance.now());
        nodes[i % nodes.length]?.services.pubsub
          .publish(topic, payload)
          .catch((e: unknown) => failures.push(e));
      });
      await waitUntil(
        `${count} gossipsub messages to reach ${DEVICES - 1} nodes each`,
        60_000,
        noFailures(failures, () => latencies.length === count * (DEVICES - 1)),
        (recheck) => {
          for (const node of nodes) node.services.pubsub.addEventListener('message', recheck);
          return () => {
            for (const node of nodes) node.services.pubsub.removeEventListener('message', recheck);
          };
        },
      );
      return summarize(latencies, busy());
    };
    await publish(DEVICES * 2, INTERVALS_MS[0]);
    const runs: Run[] = [];
    for (const interval of INTERVALS_MS) runs.push(await publish(count, interval));
    return runs;
  } finally {
    await stopAll(nodes);
  }
}

/**
 * Calls `send(i)` for i = 0..count-1, one every `interval` ms on a fixed schedule (a late
 * timer does not push the later sends back). Resolves once the last has been called.
 */
function paced(count: number, interval: number, send: (i: number) => void): Promise<void> {
  return new Promise((resolve) => {
    const start = performance.now();
    const step = (i: number): void => {
      send(i);
      if (i + 1 === count) {
        resolve();
        return;
      }
      setTimeout(
        () => {
          step(i + 1);
        },
        Math.max(0, start + (i + 1) * interval - performance.now()),
      );
    };
    step(0);
  });
}

/** A check for `waitUntil` that fails as soon as a send has failed. */
function noFailures(failures: readonly unknown[], done: () => boolean): () => boolean {
  return () => {
    const first: unknown = failures[0];
    if (first !== undefined) throw asError(first);
    return done();
  };
}

interface Busy {
  /** The share of time the event loop was busy. */
  readonly loop: number;
  /** CPU time of the process, every thread, in ms. */
  readonly cpuMs: number;
}

/** Starts measuring how busy the event loop and the CPU are; the function returns both so far. */
function busyMeter(): () => Busy {
  const start = performance.eventLoopUtilization();
  const cpu = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(cpu);
    return {
      loop: performance.eventLoopUtilization(start).utilization,
      cpuMs: (used.user + used.system) / 1000,
    };
  };
}

function summarize(latencies: readonly number[], busy: Busy): Run {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    max: sorted.at(-1) ?? Number.NaN,
    samples: sorted.length,
    busy: busy.loop,
    cpuPerDelivery: busy.cpuMs / Math.max(1, sorted.length),
  };
}

function ms(name: string, value: number): Measurement {
  return { name, nsPerOp: value * 1e6 };
}

function percent(share: number): string {
  return `${(100 * share).toFixed(0)}%`;
}
