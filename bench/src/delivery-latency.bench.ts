import type { KithNode } from '@kith/node';
import type { RoomId } from '@kith/core';
import { goal, report, type Measurement } from './measure.ts';
import {
  addedTexts,
  indexedPayload,
  openDevice,
  payloadIndex,
  percentile,
  rawMesh,
  roomOf,
  stopAll,
  TempDirs,
  topicOf,
  waitUntil,
} from './node-fixtures.ts';

const DEVICES = 10;
const INTERVAL_MS = 20;
const SETUP_MS = 60_000;

/**
 * Ten devices of ten users on loopback, in this process, in one room: a message every 20 ms
 * from each device in turn, and the time from `send` being called to the message being applied
 * (its `timeline` event) on each of the other nine. The baseline is ten raw libp2p nodes of the
 * same stack on the same topic setup: `publish` to the `message` event on each subscriber, at
 * the same rate, with payloads of the size of a Kith message's ciphertext. One process means
 * one JavaScript thread for all ten: latency includes waiting behind the other devices' work,
 * on both sides.
 */
export async function benchDeliveryLatency(quick: boolean): Promise<void> {
  const count = quick ? 60 : 300;
  const dirs = new TempDirs();
  const nodes: KithNode[] = [];
  let kith: Run;
  const sizes: number[] = [];
  try {
    for (let i = 0; i < DEVICES; i++) {
      nodes.push(await openDevice(await dirs.make(`latency-${i}`), `device ${i}`));
    }
    const roomId = await roomOf(nodes, SETUP_MS);
    // The ciphertext a message travels in, as another device's gossipsub hands it over.
    const topic = topicOf(roomId);
    nodes[1]?.libp2p.services.pubsub.addEventListener('message', (e) => {
      if (e.detail.topic === topic) sizes.push(e.detail.data.length);
    });
    await kithRun(nodes, roomId, 'warm-up', DEVICES * 2); // JIT, streams, first epochs
    kith = await kithRun(nodes, roomId, 'message', count);
  } finally {
    await Promise.allSettled(nodes.map((n) => n.close()));
    await dirs.removeAll();
  }
  const size = sizes.sort((a, b) => a - b)[Math.floor(sizes.length / 2)] ?? 0;
  const raw = await rawRun(size, count);
  const rows: [Measurement, Measurement][] = [
    [ms('kith p50: send → applied', kith.p50), ms('gossipsub p50: publish → message', raw.p50)],
    [ms('kith p99', kith.p99), ms('gossipsub p99', raw.p99)],
  ];
  report(
    `delivery latency: ${DEVICES} devices, one room, ${count} messages every ${INTERVAL_MS} ms ` +
      `from each in turn, ${size}-byte ciphertext (ms, ${kith.samples} deliveries)`,
    rows,
    'ms',
  );
  console.log(
    `sending took kith ${kith.spanMs.toFixed(0)} ms, gossipsub ${raw.spanMs.toFixed(0)} ms ` +
      `(${(count * INTERVAL_MS).toFixed(0)} ms planned); max latency kith ` +
      `${kith.max.toFixed(1)} ms, gossipsub ${raw.max.toFixed(1)} ms`,
  );
  goal('p50 latency, kith / raw gossipsub', kith.p50 / raw.p50, { below: 5 }, '×');
}

interface Run {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly samples: number;
  /** From the first send to the last one being called. */
  readonly spanMs: number;
}

async function kithRun(
  nodes: readonly KithNode[],
  roomId: RoomId,
  label: string,
  count: number,
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
    const span = await paced(count, (i) => {
      const sender = i % nodes.length;
      const text = `${label} ${i}: the quick brown fox jumps over the lazy dog`;
      sent.set(text, { at: performance.now(), sender });
      nodes[sender]?.client.send(roomId, text).catch((e: unknown) => failures.push(e));
    });
    await waitUntil(
      `${count} ${label}s to reach ${nodes.length - 1} devices each`,
      60_000 + count * INTERVAL_MS * 10,
      noFailures(failures, () => latencies.length === count * (nodes.length - 1)),
      (recheck) => {
        const recheckOffs = nodes.map((n) => n.client.on('timeline', recheck));
        return () => {
          for (const off of recheckOffs) off();
        };
      },
    );
    return summarize(latencies, span);
  } finally {
    for (const off of offs) off();
  }
}

async function rawRun(size: number, count: number): Promise<Run> {
  const topic = 'kith-bench/latency';
  const nodes = await rawMesh(DEVICES, topic, SETUP_MS);
  try {
    const sentAt: number[] = [];
    const latencies: number[] = [];
    for (const node of nodes) {
      node.services.pubsub.addEventListener('message', (e) => {
        const at = sentAt[payloadIndex(e.detail.data)];
        if (at !== undefined) latencies.push(performance.now() - at);
      });
    }
    const publish = async (count: number): Promise<Run> => {
      latencies.length = 0;
      sentAt.length = 0;
      const failures: unknown[] = [];
      const span = await paced(count, (i) => {
        const payload = indexedPayload(size, i);
        sentAt[i] = performance.now();
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
      return summarize(latencies, span);
    };
    await publish(DEVICES * 2); // warm-up, as on the Kith side
    return await publish(count);
  } finally {
    await stopAll(nodes);
  }
}

/**
 * Calls `send(i)` for i = 0..count-1, one every INTERVAL_MS on a fixed schedule (a late timer
 * does not push the later sends back). Resolves with the time from the first call to the last.
 */
function paced(count: number, send: (i: number) => void): Promise<number> {
  return new Promise((resolve) => {
    const start = performance.now();
    const step = (i: number): void => {
      send(i);
      if (i + 1 === count) {
        resolve(performance.now() - start);
        return;
      }
      setTimeout(
        () => {
          step(i + 1);
        },
        Math.max(0, start + (i + 1) * INTERVAL_MS - performance.now()),
      );
    };
    step(0);
  });
}

/** A check for `waitUntil` that fails as soon as a send has failed. */
function noFailures(failures: readonly unknown[], done: () => boolean): () => boolean {
  return () => {
    const first: unknown = failures[0];
    if (first !== undefined) throw first instanceof Error ? first : new Error(String(first));
    return done();
  };
}

function summarize(latencies: readonly number[], spanMs: number): Run {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    max: sorted.at(-1) ?? Number.NaN,
    samples: sorted.length,
    spanMs,
  };
}

function ms(name: string, value: number): Measurement {
  return { name, nsPerOp: value * 1e6 };
}
