import type { KithNode } from '@kith/node';
import type { RoomId } from '@kith/core';
import { report, type Measurement } from './measure.ts';
import {
  addedTexts,
  indexedPayload,
  openDevice,
  payloadIndex,
  rawMesh,
  roomOf,
  settle,
  stopAll,
  TempDirs,
  watchCiphertextSizes,
  waitUntil,
} from './node-fixtures.ts';

const DEVICES = 5;
const SETUP_MS = 60_000;

/**
 * One conversation of five devices on loopback in this process; one of them sends as fast as
 * the API allows (each `send` awaited before the next), and the clock stops when all four others
 * have applied every message. The baseline is five raw libp2p nodes of the same stack, all
 * connected: one `publish`es as fast as it resolves, until the four others have had every
 * message, with payloads of the size of a Kith message's ciphertext.
 */
export async function benchDeliveryThroughput(quick: boolean): Promise<void> {
  const count = quick ? 300 : 2000;
  const dirs = new TempDirs();
  const nodes: KithNode[] = [];
  let kith: Run;
  let sizes = { median: (): number => 0 };
  try {
    for (let i = 0; i < DEVICES; i++) {
      nodes.push(await openDevice(await dirs.make(`throughput-${i}`), `device ${i}`));
    }
    const roomId = await roomOf(nodes, SETUP_MS);
    const second = nodes[1];
    if (second !== undefined) sizes = watchCiphertextSizes(second, roomId);
    await kithRun(nodes, roomId, 'warm-up', 50);
    await settle(nodes, roomId);
    kith = await kithRun(nodes, roomId, 'measured', count);
  } finally {
    await Promise.allSettled(nodes.map((n) => n.close()));
    await dirs.removeAll();
  }
  const size = sizes.median();
  const raw = await rawRun(size, count);
  const perMessage = (run: Run, name: string): Measurement => ({
    name,
    nsPerOp: (run.totalMs * 1e6) / count,
  });
  report(
    `delivery throughput: ${count.toLocaleString('en')} messages from one device to ` +
      `${DEVICES - 1} others, ${size}-byte ciphertext (per message, until all have everything)`,
    [[perMessage(kith, 'send awaited → applied on all'), perMessage(raw, 'gossipsub publish')]],
    'ms',
  );
  console.log(
    `messages per second: kith ${perSecond(count, kith.totalMs)} ` +
      `(sending alone ${perSecond(count, kith.sendingMs)}), ` +
      `gossipsub ${perSecond(count, raw.totalMs)} (publishing alone ` +
      `${perSecond(count, raw.sendingMs)}); kith / gossipsub ` +
      `${(raw.totalMs / kith.totalMs).toFixed(3)} of the rate`,
  );
}

interface Run {
  /** From the first send to the last receiver having everything. */
  readonly totalMs: number;
  /** From the first send to the last one resolving. */
  readonly sendingMs: number;
}

async function kithRun(
  nodes: readonly KithNode[],
  roomId: RoomId,
  label: string,
  count: number,
): Promise<Run> {
  const [sender, ...receivers] = nodes;
  if (sender === undefined) throw new Error('no devices');
  const prefix = `${label} `;
  const got = receivers.map(() => 0);
  const offs = receivers.map((node, k) =>
    node.client.on('timeline', (e) => {
      for (const text of addedTexts(e.changes))
        if (text.startsWith(prefix)) got[k] = (got[k] ?? 0) + 1;
    }),
  );
  try {
    const start = performance.now();
    const all = waitUntil(
      `${count} messages (${label}) to reach ${receivers.length} devices`,
      60_000 + count * 100,
      () => got.every((n) => n === count),
      (recheck) => {
        const recheckOffs = receivers.map((n) => n.client.on('timeline', recheck));
        return () => {
          for (const off of recheckOffs) off();
        };
      },
    );
    for (let i = 0; i < count; i++) {
      await sender.client.send(
        roomId,
        `${prefix}${i}: the quick brown fox jumps over the lazy dog`,
      );
    }
    const sent = performance.now();
    await all;
    return { totalMs: performance.now() - start, sendingMs: sent - start };
  } finally {
    for (const off of offs) off();
  }
}

async function rawRun(size: number, count: number): Promise<Run> {
  const topic = 'kith-bench/throughput';
  const nodes = await rawMesh(DEVICES, topic, SETUP_MS);
  const [publisher, ...subscribers] = nodes;
  if (publisher === undefined) throw new Error('no nodes');
  // Indices go on from run to run: gossipsub drops a payload it has seen before.
  let next = 0;
  const run = async (count: number): Promise<Run> => {
    const first = next;
    next += count;
    const got = subscribers.map(() => 0);
    const counters = subscribers.map((node, k) => {
      const onMessage = (e: CustomEvent<{ data: Uint8Array }>): void => {
        if (payloadIndex(e.detail.data) >= first) got[k] = (got[k] ?? 0) + 1;
      };
      node.services.pubsub.addEventListener('message', onMessage);
      return () => {
        node.services.pubsub.removeEventListener('message', onMessage);
      };
    });
    try {
      const start = performance.now();
      const all = waitUntil(
        `${count} gossipsub messages to reach ${subscribers.length} nodes`,
        60_000,
        () => got.every((n) => n === count),
        (recheck) => {
          for (const n of subscribers) n.services.pubsub.addEventListener('message', recheck);
          return () => {
            for (const n of subscribers) n.services.pubsub.removeEventListener('message', recheck);
          };
        },
      );
      for (let i = first; i < first + count; i++) {
        await publisher.services.pubsub.publish(topic, indexedPayload(size, i));
      }
      const sent = performance.now();
      await all;
      return { totalMs: performance.now() - start, sendingMs: sent - start };
    } finally {
      for (const off of counters) off();
    }
  };
  try {
    await run(50); // warm-up, as on the Kith side
    return await run(count);
  } finally {
    await stopAll(nodes);
  }
}

function perSecond(count: number, ms: number): string {
  return ((count * 1000) / ms).toFixed(0);
}
