import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { multiaddr } from '@multiformats/multiaddr';
import { ClassicLevel } from 'classic-level';
import { KvStore, signingKeyPairFromSecret, useEd25519 } from '@kith/core';
import {
  MAILBOX_EXCHANGE,
  nodeEd25519,
  peerIdOfDeviceKey,
  Protocols,
  sendRequest,
  type DeviceLibp2p,
} from '@kith/node';
import { MailboxService } from '../../apps/relay/src/mailbox/mailbox-service.ts';
import { MailboxStore } from '../../apps/relay/src/mailbox/mailbox-store.ts';
import { describeRetries, pingOnce, relayDevice, spreadLoopbackSources } from './relay-clients.ts';
import {
  fetchAll,
  mailboxWorkload,
  MESSAGE_BYTES,
  putAll,
  rawLevel,
  type MailboxWorkload,
} from './mailbox-fixtures.ts';
import { format, goal, report, type Measurement } from './measure.ts';
import { stopAll, TempDirs } from './node-fixtures.ts';
import { RelayProcess } from './relay-process.ts';

const TOPICS = 8;
/** Concurrent writers: devices of different conversations putting at once. */
const WRITERS = 8;
const GOAL_PER_SECOND = 5000;
/** Messages per putMany in the batched runs: what a device sends when messages queued up. */
const BATCH = 16;

/** Rate limits out of the way: the benchmark measures what the relay can do, not its policy. */
const UNLIMITED = {
  requestsPerMinutePerPeer: 1_000_000_000,
  requestsPerMinute: 1_000_000_000,
};
const UNLIMITED_FLAGS = [
  '--rate-limit-peer-requests-per-minute',
  '1000000',
  '--rate-limit-requests-per-minute',
  '100000000',
  '--rate-limit-peer-bytes-per-minute',
  '16GiB',
];

interface MailboxRun {
  readonly messages: number;
  readonly putMs: number;
  readonly fetchMs: number;
  /** Over the network: as many libp2p pings from the same connections (NaN in process). */
  readonly pingMs: number;
}

/**
 * The relay's mailboxes: ingest (puts of ~500-byte messages signed with the topic's mailbox
 * key, from 8 concurrent writers over 8 topics) and hand-over (every topic fetched back, 500 a
 * page), in messages per second, against raw classic-level puts and reads of the same sizes
 * from the same number of writers, in the same run.
 *
 * Two layers. In process: `MailboxService` over `MailboxStore` over a real classic-level
 * database, as the relay's store-and-forward service runs them, with Node's Ed25519 (which the
 * relay installs). Over the network: a real `kith-relay` process on loopback and 8 device
 * libp2p nodes, each connection putting in parallel through `sendRequest`.
 * Rate limits are raised out of the way; their defaults (60,000 requests a minute for all
 * devices together, 600 per device) are themselves below the goal.
 *
 * `KITH_BENCH_RELAY_PROFILE=DIR` writes the relay processes' CPU profiles there.
 */
export async function benchRelayMailbox(quick: boolean): Promise<void> {
  const fast = quick ? 2000 : 20_000;
  const network = quick ? 1000 : 6000;
  const dirs = new TempDirs();
  try {
    // Signing is the devices' work, done before the clock starts: with Node's Ed25519.
    useEd25519(nodeEd25519());
    const raw = await rawLevel(await dirs.make('mailbox-raw'), TOPICS, fast, WRITERS);
    const inNode = await inProcess(
      await dirs.make('mailbox-node'),
      mailboxWorkload(IN_PROCESS_RELAY, TOPICS, fast),
    );
    const overNode = await overNetwork((relay) => mailboxWorkload(relay, TOPICS, network), {
      nodeEd25519: true,
      ping: true,
    });
    const inNodeMany = await inProcess(
      await dirs.make('mailbox-node-many'),
      mailboxWorkload(IN_PROCESS_RELAY, TOPICS, fast, BATCH),
    );
    const overNodeMany = await overNetwork(
      (relay) => mailboxWorkload(relay, TOPICS, network * 2, BATCH),
      {
        nodeEd25519: true,
      },
    );

    const rawPut = perMessage('classic-level put', raw.writeMs, fast);
    const rawRead = perMessage('classic-level read', raw.readMs, fast);
    const rows = (label: string, run: MailboxRun): [Measurement, Measurement][] => [
      [perMessage(`put, ${label}`, run.putMs, run.messages), rawPut],
      [perMessage(`fetch, ${label}`, run.fetchMs, run.messages), rawRead],
    ];
    report(
      `relay-mailbox: ${TOPICS} topics, ${WRITERS} concurrent writers, ${MESSAGE_BYTES}-byte ` +
        `messages (per message; raw: ${fast.toLocaleString('en')} classic-level puts and reads)`,
      [
        ...rows('in process', inNode),
        ...rows('relay process', overNode),
        ...rows(`in process, putMany of ${BATCH}`, inNodeMany),
        ...rows(`relay process, putMany of ${BATCH}`, overNodeMany),
        [
          perMessage('put, relay process, Node', overNode.putMs, overNode.messages),
          perMessage('libp2p ping, same relay', overNode.pingMs, overNode.messages),
        ],
      ],
    );
    console.log(
      `messages per second: classic-level ${rate(fast, raw.writeMs)} put, ` +
        `${rate(fast, raw.readMs)} read; libp2p ping to the relay (a new stream each, ` +
        `${WRITERS} connections) ${rate(overNode.messages, overNode.pingMs)}`,
    );
    const runs = [
      ['in process', inNode],
      ['relay process', overNode],
      [`in process, putMany of ${BATCH}`, inNodeMany],
      [`relay process, putMany of ${BATCH}`, overNodeMany],
    ] as const;
    for (const [label, run] of runs) {
      console.log(
        `  ${label}: ${rate(run.messages, run.putMs)} put, ${rate(run.messages, run.fetchMs)} ` +
          `fetched (${run.messages.toLocaleString('en')} messages)`,
      );
    }
    for (const [label, run] of runs) {
      goal(
        `mailbox ingest, ${label}`,
        (run.messages * 1000) / run.putMs,
        { atLeast: GOAL_PER_SECOND },
        'messages/s',
      );
    }
  } finally {
    useEd25519(undefined);
    await dirs.removeAll();
  }
}

/** The relay peer ID the in-process workloads are signed for. */
const IN_PROCESS_RELAY = 'in-process-relay';

/** `MailboxService` over `MailboxStore` over classic-level, as the relay's service runs them. */
async function inProcess(dir: string, work: MailboxWorkload): Promise<MailboxRun> {
  const db = new ClassicLevel<string, Uint8Array>(join(dir, 'db'), KvStore.databaseOptions);
  const service = new MailboxService(new MailboxStore(await KvStore.open(db), IN_PROCESS_RELAY), {
    limits: UNLIMITED,
  });
  try {
    const peers = Array.from({ length: WRITERS }, () =>
      peerIdOfDeviceKey(signingKeyPairFromSecret(new Uint8Array(randomBytes(32))).publicKey),
    );
    const reader = peers[0];
    if (reader === undefined) throw new Error('no writers');
    const putMs = await putAll(work.puts, WRITERS, (w, request) =>
      service.handle(request, peers[w] ?? reader),
    );
    const fetchStart = performance.now();
    const counts = await Promise.all(
      work.topics.map((t) => fetchAll(t, (request) => service.handle(request, reader))),
    );
    const fetchMs = performance.now() - fetchStart;
    expectAll(counts, work.messages);
    return { messages: work.messages, putMs, fetchMs, pingMs: Number.NaN };
  } finally {
    await db.close();
  }
}

/**
 * A real relay process and WRITERS device libp2p nodes on loopback, one connection each, every
 * connection putting (one request in flight each); then the topics fetched back concurrently.
 * With `ping`, first as many libp2p pings as puts from the same connections.
 */
async function overNetwork(
  workload: (relay: string) => MailboxWorkload,
  options: { readonly nodeEd25519: boolean; readonly ping?: boolean },
): Promise<MailboxRun> {
  const relay = await RelayProcess.start({
    args: UNLIMITED_FLAGS,
    nodeEd25519: options.nodeEd25519,
    cpuProfileDir: process.env['KITH_BENCH_RELAY_PROFILE'],
  });
  const sources = spreadLoopbackSources();
  const clients: DeviceLibp2p[] = [];
  try {
    for (let i = 0; i < WRITERS; i++) clients.push(await relayDevice());
    const address = multiaddr(relay.address);
    const connections = await Promise.all(clients.map((c) => c.dial(address)));
    const relayPeer = connections[0]?.remotePeer;
    if (relayPeer === undefined) throw new Error('no connection to the relay');
    const exchange = (
      client: DeviceLibp2p | undefined,
      request: Uint8Array,
    ): Promise<Uint8Array> => {
      if (client === undefined) throw new Error('no such client');
      return sendRequest(client, relayPeer, Protocols.mailbox, request, MAILBOX_EXCHANGE);
    };
    const work = workload(relayPeer.toString());
    const pingMs =
      options.ping === true ? await pingFrom(clients, relayPeer, work.puts.length) : Number.NaN;
    const putMs = await putAll(work.puts, WRITERS, (w, request) => exchange(clients[w], request));
    const fetchStart = performance.now();
    const counts = await Promise.all(
      work.topics.map((t, i) =>
        fetchAll(t, (request) => exchange(clients[i % clients.length], request)),
      ),
    );
    const fetchMs = performance.now() - fetchStart;
    expectAll(counts, work.messages);
    const metrics = await relay.metrics();
    if (metrics.messagesIn !== work.messages || metrics.messagesOut !== work.messages) {
      throw new Error(
        `the relay counted ${metrics.messagesIn} in and ${metrics.messagesOut} out, ` +
          `not ${work.messages}`,
      );
    }
    return { messages: work.messages, putMs, fetchMs, pingMs };
  } finally {
    sources.restore();
    await stopAll(clients);
    await relay.stop();
  }
}

/**
 * The floor of a request: `count` libp2p pings (a new stream, a protocol negotiated, 32 bytes
 * each way, closed), spread over the clients; returns the elapsed ms.
 */
async function pingFrom(
  clients: readonly DeviceLibp2p[],
  relayPeer: DeviceLibp2p['peerId'],
  count: number,
): Promise<number> {
  const retries = new Map<string, number>();
  const start = performance.now();
  await Promise.all(
    clients.map(async (client) => {
      for (let i = 0; i < count / clients.length; i++) await pingOnce(client, relayPeer, retries);
    }),
  );
  const ms = performance.now() - start;
  if (retries.size > 0) console.log(`pings retried: ${describeRetries(retries)}`);
  return ms;
}

function expectAll(counts: readonly number[], total: number): void {
  const fetched = counts.reduce((a, b) => a + b, 0);
  if (fetched !== total) throw new Error(`fetched ${fetched} messages of ${total}`);
}

function perMessage(name: string, ms: number, messages: number): Measurement {
  return { name, nsPerOp: (ms * 1e6) / messages };
}

function rate(messages: number, ms: number): string {
  return `${format((messages * 1000) / ms)}/s`;
}
