import { fileURLToPath } from 'node:url';
import { generateKeyPair } from '@libp2p/crypto/keys';
import type { Page } from 'playwright-core';
import { roomTopic, fromHex, type RoomId } from '@kith/core';
import { createDeviceLibp2p, KithNode, PeerGuard } from '@kith/node';
import { RelayProcess } from '@kith/relay/process';
import { BenchBrowser } from './chromium.ts';
import type { PageBench } from './page-api.ts';
import { format, goal, report } from '../measure.ts';
import {
  addedTexts,
  payloadIndex,
  percentile,
  TempDirs,
  waitUntil,
  watchCiphertextSizes,
} from '../node-fixtures.ts';

const PAGE = fileURLToPath(new URL('page/bench-page.ts', import.meta.url));
const WAIT_MS = 60_000;

type Latency = PageBench['latency'];

/** Runs one of the tab's latency functions in `page`. */
function inTab<K extends keyof Latency>(
  page: Page,
  fn: K,
  ...args: Parameters<Latency[K]>
): Promise<Awaited<ReturnType<Latency[K]>>> {
  return page.evaluate(
    ([name, a]) => {
      const api = (globalThis as unknown as { kithBench: PageBench }).kithBench.latency;
      const f = api[name] as (...x: unknown[]) => unknown;
      return f(...a);
    },
    [fn, args] as const,
  ) as Promise<Awaited<ReturnType<Latency[K]>>>;
}

interface Samples {
  readonly kith: number[];
  /** How long the sender's `send` took to resolve (its part of each delivery). */
  readonly sendMs: number[];
  readonly raw: number[];
  readonly kithPath: string;
  readonly rawPath: string;
}

/**
 * Delivery latency from a browser tab: to a Node device, and to another tab, one message at a
 * time (each waited for before the next), p50 and p99. Kith: `client.send` in the tab until
 * the receiver's `timeline` event. Baseline: raw libp2p nodes built as the devices' are
 * (`createBrowserLibp2p`, `createDeviceLibp2p`), at the same endpoints over the same relay,
 * gossipsub `publish` until `message`, payload of the Kith ciphertext's size. Times are wall
 * clock in each process (same machine).
 */
export async function benchBrowserLatency(quick: boolean): Promise<void> {
  const count = quick ? 10 : 200;
  const dirs = new TempDirs();
  const relay = await RelayProcess.start({ args: ['--connections-per-second-per-ip', '1000'] });
  const browser = await BenchBrowser.start(PAGE);
  try {
    const ws = relay.multiaddrs.find((m) => m.includes('/ws/'));
    if (ws === undefined) throw new Error('the relay has no WebSocket address');
    const toNode = await browserToNode(browser, ws, relay.tcpAddress, dirs, count);
    show('browser → Node', toNode);
    const toTab = await browserToBrowser(browser, ws, count);
    show('browser → browser', toTab);
  } finally {
    await browser.stop();
    await relay.stop();
    await dirs.removeAll();
  }
}

function show(label: string, s: Samples): void {
  const k = [...s.kith].sort((a, b) => a - b);
  const r = [...s.raw].sort((a, b) => a - b);
  const at = (xs: number[], p: number, name: string) => ({
    name,
    nsPerOp: percentile(xs, p) * 1e6,
  });
  report(
    `delivery latency ${label}, one message at a time (${k.length} messages)`,
    [
      [at(k, 0.5, 'kith p50'), at(r, 0.5, 'raw gossipsub p50')],
      [at(k, 0.99, 'kith p99'), at(r, 0.99, 'raw gossipsub p99')],
    ],
    'ms',
  );
  const send = [...s.sendMs].sort((a, b) => a - b);
  console.log(
    `      the sender's send() resolved after p50 ${format(percentile(send, 0.5))} ms, p99 ${format(percentile(send, 0.99))} ms (its write, storage commit and publish)`,
  );
  console.log(`      kith over ${s.kithPath}; raw over ${s.rawPath}`);
  goal(`${label} p50 vs raw`, percentile(k, 0.5) / percentile(r, 0.5), { below: 5 }, 'x');
  goal(`${label} p99 vs raw`, percentile(k, 0.99) / percentile(r, 0.99), { below: 5 }, 'x');
}

async function browserToNode(
  browser: BenchBrowser,
  ws: string,
  relayTcp: string,
  dirs: TempDirs,
  count: number,
): Promise<Samples> {
  const tab = await browser.open();
  const node = await KithNode.open({
    dataDir: await dirs.make('browser-latency'),
    deviceName: 'node',
    listen: ['/ip4/127.0.0.1/tcp/0'],
    mdns: false,
    relays: [relayTcp],
    tickMs: 500,
  });
  try {
    const me = await inTab(tab, 'kithOpen', `lat-${Date.now()}`, ws);
    await node.addContact(me.link);
    await inTab(tab, 'kithAddContact', node.contactLink('node'));
    const joined = new Promise<RoomId>((resolve) => {
      const off = node.client.on('joined', (e) => {
        off();
        resolve(e.roomId);
      });
    });
    const roomId = await inTab(tab, 'kithCreateRoom', node.userId);
    await joined;
    const sizes = watchCiphertextSizes(node, roomId);
    const arrivals = new Map<string, number>();
    node.client.on('timeline', (e) => {
      const at = Date.now();
      for (const text of addedTexts(e.changes)) arrivals.set(text, at);
    });
    const arrival = (text: string): Promise<number> =>
      waitUntil(
        `"${text}" on the Node device`,
        WAIT_MS,
        () => arrivals.has(text),
        (recheck) => node.client.on('timeline', recheck),
      ).then(() => arrivals.get(text) ?? Number.NaN);
    const kith: number[] = [];
    const sendMs: number[] = [];
    for (let i = -3; i < count; i++) {
      const text = `message ${i}`;
      const sent = await inTab(tab, 'kithSend', roomId, text);
      const at = await arrival(text);
      if (i >= 0) {
        kith.push(at - sent.at);
        sendMs.push(sent.sendMs);
      }
    }
    const kithPath = (await inTab(tab, 'connectionsTo', node.libp2p.peerId.toString())).join(', ');
    await inTab(tab, 'closeAll');

    // The raw pair: the same endpoints, the Node side reached through the same relay.
    const topic = roomTopic(fromHex(roomId) ?? new Uint8Array(32));
    const rawNode = await createDeviceLibp2p(await generateKeyPair('Ed25519'), new PeerGuard(), {
      listen: ['/ip4/127.0.0.1/tcp/0'],
      mdns: false,
      relays: [relayTcp],
    });
    try {
      const rawArrivals = new Map<number, number>();
      rawNode.services.pubsub.subscribe(topic);
      const events: EventTarget = rawNode.services.pubsub;
      rawNode.services.pubsub.addEventListener('message', (e) => {
        if (e.detail.topic === topic) rawArrivals.set(payloadIndex(e.detail.data), Date.now());
      });
      await waitUntil(
        'a relayed address for the raw Node side',
        WAIT_MS,
        () => rawNode.getMultiaddrs().some((m) => m.toString().includes('/p2p-circuit')),
        (recheck) => {
          rawNode.addEventListener('self:peer:update', recheck);
          return () => {
            rawNode.removeEventListener('self:peer:update', recheck);
          };
        },
      );
      const circuit = rawNode
        .getMultiaddrs()
        .find((m) => m.toString().includes('/p2p-circuit'))
        ?.toString();
      if (circuit === undefined) throw new Error('no relayed address');
      const other = await inTab(tab, 'rawOpen', ws, topic);
      await inTab(tab, 'rawDial', circuit);
      await inTab(tab, 'rawSubscribed', rawNode.peerId.toString(), topic);
      await waitUntil(
        'the tab subscribed, seen from the raw Node side',
        WAIT_MS,
        () =>
          rawNode.services.pubsub.getSubscribers(topic).some((p) => p.toString() === other.peerId),
        (recheck) => {
          events.addEventListener('subscription-change', recheck);
          return () => {
            events.removeEventListener('subscription-change', recheck);
          };
        },
      );
      const size = sizes.median();
      const raw: number[] = [];
      for (let i = 0; i < count + 3; i++) {
        const sentAt = await inTab(tab, 'rawPublish', topic, size, i);
        await waitUntil(
          `raw message ${i} on the Node side`,
          WAIT_MS,
          () => rawArrivals.has(i),
          (recheck) => {
            events.addEventListener('message', recheck);
            return () => {
              events.removeEventListener('message', recheck);
            };
          },
        );
        if (i >= 3) raw.push((rawArrivals.get(i) ?? Number.NaN) - sentAt);
      }
      const rawPath = (await inTab(tab, 'connectionsTo', rawNode.peerId.toString())).join(', ');
      await inTab(tab, 'closeAll');
      return { kith, sendMs, raw, kithPath, rawPath };
    } finally {
      await rawNode.stop();
    }
  } finally {
    await node.close();
    await tab.close();
  }
}

async function browserToBrowser(
  browser: BenchBrowser,
  ws: string,
  count: number,
): Promise<Samples> {
  const a = await browser.open();
  const b = await browser.open();
  try {
    const stamp = Date.now();
    const sender = await inTab(a, 'kithOpen', `lat-a-${stamp}`, ws);
    const receiver = await inTab(b, 'kithOpen', `lat-b-${stamp}`, ws);
    await inTab(a, 'kithAddContact', receiver.link);
    await inTab(b, 'kithAddContact', sender.link);
    const roomId = await inTab(a, 'kithCreateRoom', receiver.userId);
    const kith: number[] = [];
    const sendMs: number[] = [];
    for (let i = -3; i < count; i++) {
      const text = `tab message ${i}`;
      const sent = await inTab(a, 'kithSend', roomId, text);
      const at = await inTab(b, 'arrivalOf', text);
      if (i >= 0) {
        kith.push(at - sent.at);
        sendMs.push(sent.sendMs);
      }
    }
    const kithPath = (await inTab(a, 'connectionsTo', receiver.peerId)).join(', ');
    await inTab(a, 'closeAll');
    await inTab(b, 'closeAll');

    const topic = roomTopic(fromHex(roomId) ?? new Uint8Array(32));
    const ra = await inTab(a, 'rawOpen', ws, topic);
    const rb = await inTab(b, 'rawOpen', ws, topic);
    await inTab(a, 'rawDial', await inTab(b, 'rawCircuitAddress'));
    await inTab(a, 'rawSubscribed', rb.peerId, topic);
    await inTab(b, 'rawSubscribed', ra.peerId, topic);
    const raw: number[] = [];
    const size = 400;
    for (let i = 0; i < count + 3; i++) {
      const sentAt = await inTab(a, 'rawPublish', topic, size, i);
      const at = await inTab(b, 'arrivalOf', String(i));
      if (i >= 3) raw.push(at - sentAt);
    }
    const rawPath = (await inTab(a, 'connectionsTo', rb.peerId)).join(', ');
    await inTab(a, 'closeAll');
    await inTab(b, 'closeAll');
    return { kith, sendMs, raw, kithPath, rawPath };
  } finally {
    await a.close();
    await b.close();
  }
}
