import { bytesEqual } from '../crypto/bytes.ts';
import type { DeviceId } from '../ids.ts';
import { EventLog } from '../testing/event-log.ts';
import type { TestApi } from '../testing/test-api.ts';
import type { InboundMessage, PeerEvent, TransportPort } from './transport.ts';

/** N endpoints of one network, each able to reach the others. */
export interface TestNetwork {
  readonly endpoints: readonly TransportPort[];
  /** Closes whatever endpoints are still open and frees the network. */
  close(): Promise<void>;
}

/** How a runtime hands its transport to the shared transport suite. */
export interface TransportSetup {
  /** Names the suite in the test report. */
  readonly name: string;
  /** `n` connected endpoints (n is at most 4). */
  createNetwork(n: number): Promise<TestNetwork>;
  /**
   * Resolves once the others know that `subscribers` subscribed to `topic` (gossipsub learns
   * subscriptions asynchronously). Omit it where subscribing takes effect at once.
   */
  subscribed?(topic: string, subscribers: readonly TransportPort[]): Promise<void>;
  /** Per-test timeout for slow transports; a wait for events that never come ends here. */
  readonly timeoutMs?: number;
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Collects what one endpoint receives. */
function record(endpoint: TransportPort): EventLog<InboundMessage> {
  const log = new EventLog<InboundMessage>();
  endpoint.onMessage(log.push);
  return log;
}

function isTopic(message: InboundMessage, topic: string, data: Uint8Array): boolean {
  return message.kind === 'topic' && message.topic === topic && bytesEqual(message.data, data);
}

function isDirect(message: InboundMessage, from: DeviceId, data: Uint8Array): boolean {
  return message.kind === 'direct' && message.from === from && bytesEqual(message.data, data);
}

/** The latest reachability per device, from a log of peer events. */
function reachable(events: readonly PeerEvent[]): Set<DeviceId> {
  const out = new Set<DeviceId>();
  for (const e of events) {
    if (e.reachable) out.add(e.device);
    else out.delete(e.device);
  }
  return out;
}

/**
 * The transport port's contract as a test suite any runtime runs:
 * `runTransportTests({ describe, it, expect }, setup)` in a vitest file. It never sleeps: it
 * waits for events, and checks that something did *not* arrive with a fence, a later message
 * over the same path whose arrival means the earlier one would have arrived by then.
 */
export function runTransportTests(t: TestApi, setup: TransportSetup): void {
  const { describe, expect } = t;
  const it = (name: string, n: number, body: (e: readonly TransportPort[]) => Promise<void>) => {
    t.it(
      name,
      async () => {
        const network = await setup.createNetwork(n);
        try {
          expect(network.endpoints).toHaveLength(n);
          await body(network.endpoints);
        } finally {
          await network.close();
        }
      },
      setup.timeoutMs,
    );
  };
  const subscribe = async (topic: string, endpoints: readonly TransportPort[]) => {
    for (const e of endpoints) e.subscribe(topic);
    await setup.subscribed?.(topic, endpoints);
  };

  describe(`transport port: ${setup.name}`, () => {
    it('delivers direct messages byte-exact with the authenticated sender', 2, async ([a, b]) => {
      if (a === undefined || b === undefined) return;
      const [inA, inB] = [record(a), record(b)];
      const sent = Uint8Array.from({ length: 256 }, (_, i) => 255 - i);
      await a.sendTo(b.self, sent);
      const copy = sent.slice();
      sent.fill(0); // the sender may reuse its buffer once the send resolved
      await b.sendTo(a.self, new Uint8Array(0));
      await inB.waitFor('A to B', (m) => m.some((x) => isDirect(x, a.self, copy)), 5);
      await inA.waitFor(
        'empty B to A',
        (m) => m.some((x) => isDirect(x, b.self, new Uint8Array(0))),
        5,
      );
      expect(inB.events).toEqual([{ kind: 'direct', from: a.self, data: copy }]);
    });

    it('broadcasts to every subscriber of the topic but the sender', 4, async ([a, b, c, d]) => {
      if (a === undefined || b === undefined || c === undefined || d === undefined) return;
      const [inA, inB, inC, inD] = [record(a), record(b), record(c), record(d)];
      await subscribe('t', [a, b, c]);
      await subscribe('u', [d]);
      const m = text('to t');
      await a.publish('t', m);
      for (const [log, name] of [
        [inB, 'B'],
        [inC, 'C'],
      ] as const) {
        await log.waitFor(
          `${name} gets the broadcast`,
          (ms) => ms.some((x) => isTopic(x, 't', m)),
          10,
        );
        expect(
          log.events.filter((x) => isTopic(x, 't', m)),
          name,
        ).toHaveLength(1);
      }
      // Fences: once A has C's later broadcast and D one on its own topic, A's and D's would be in.
      await c.publish('t', text('fence'));
      await inA.waitFor(
        'A gets the fence',
        (ms) => ms.some((x) => isTopic(x, 't', text('fence'))),
        10,
      );
      await a.publish('u', text('fence'));
      await inD.waitFor(
        'D gets the fence',
        (ms) => ms.some((x) => isTopic(x, 'u', text('fence'))),
        10,
      );
      expect(inA.events.filter((x) => isTopic(x, 't', m))).toEqual([]);
      expect(inD.events.filter((x) => x.kind === 'topic' && x.topic === 't')).toEqual([]);
    });

    it('stops delivering a topic to an endpoint that unsubscribed', 3, async ([a, b, c]) => {
      if (a === undefined || b === undefined || c === undefined) return;
      const [inB, inC] = [record(b), record(c)];
      await subscribe('t', [a, b, c]);
      await subscribe('fence', [c]);
      await a.publish('t', text('before'));
      await inC.waitFor(
        'C gets a broadcast',
        (ms) => ms.some((x) => isTopic(x, 't', text('before'))),
        10,
      );
      c.unsubscribe('t');
      await a.publish('t', text('after'));
      await inB.waitFor(
        'B still gets it',
        (ms) => ms.some((x) => isTopic(x, 't', text('after'))),
        10,
      );
      await a.publish('fence', text('fence'));
      await inC.waitFor(
        'C gets the fence',
        (ms) => ms.some((x) => isTopic(x, 'fence', text('fence'))),
        10,
      );
      expect(inC.events.filter((x) => isTopic(x, 't', text('after')))).toEqual([]);
    });

    it('carries a 1 MiB direct message and a 64 KiB broadcast intact', 2, async ([a, b]) => {
      if (a === undefined || b === undefined) return;
      const inB = record(b);
      await subscribe('big', [b]);
      const big = Uint8Array.from({ length: 1 << 20 }, (_, i) => (i * 131 + (i >> 8)) & 255);
      const medium = big.slice(7, 7 + (1 << 16));
      await a.sendTo(b.self, big);
      await a.publish('big', medium);
      await inB.waitFor('1 MiB', (ms) => ms.some((x) => isDirect(x, a.self, big)), 5);
      await inB.waitFor('64 KiB', (ms) => ms.some((x) => isTopic(x, 'big', medium)), 5);
    });

    it('delivers 200 messages each way between a pair', 2, async ([a, b]) => {
      if (a === undefined || b === undefined) return;
      const [inA, inB] = [record(a), record(b)];
      const n = 200;
      const payload = (i: number) => Uint8Array.of(i >> 8, i & 255, 7);
      await Promise.all(
        Array.from({ length: n }, (_, i) => [
          a.sendTo(b.self, payload(i)),
          b.sendTo(a.self, payload(i)),
        ]).flat(),
      );
      const distinct = (ms: readonly InboundMessage[], from: DeviceId) =>
        new Set(
          ms
            .filter((x) => x.kind === 'direct' && x.from === from)
            .map((x) => (x.data[0] ?? 0) * 256 + (x.data[1] ?? 0)),
        );
      await inB.waitFor('all 200 at B', (ms) => distinct(ms, a.self).size === n, n + 10);
      await inA.waitFor('all 200 at A', (ms) => distinct(ms, b.self).size === n, n + 10);
      expect([...distinct(inB.events, a.self)].sort((x, y) => x - y)).toEqual(
        Array.from({ length: n }, (_, i) => i),
      );
    });

    it('reports the other endpoints as reachable', 3, async (endpoints) => {
      for (const endpoint of endpoints) {
        const peers = new EventLog<PeerEvent>();
        endpoint.onPeer(peers.push);
        const others = endpoints.filter((e) => e !== endpoint).map((e) => e.self);
        await peers.waitFor(
          `${endpoint.self} sees the others`,
          (events) => others.every((d) => reachable(events).has(d)),
          20,
        );
        expect(reachable(peers.events).has(endpoint.self)).toBe(false);
      }
    });

    it('stops calling a handler once it is removed', 2, async ([a, b]) => {
      if (a === undefined || b === undefined) return;
      const [removed, kept] = [new EventLog<InboundMessage>(), new EventLog<InboundMessage>()];
      const remove = b.onMessage(removed.push);
      b.onMessage(kept.push);
      remove();
      remove(); // removing twice is harmless
      await a.sendTo(b.self, text('1'));
      await a.sendTo(b.self, text('2'));
      await kept.waitFor('the kept handler gets both', (ms) => ms.length === 2, 5);
      expect(removed.events).toEqual([]);
    });

    it('after close, sends fail or do nothing, and the others see it go', 3, async ([a, b, c]) => {
      if (a === undefined || b === undefined || c === undefined) return;
      const [inA, inC] = [record(a), record(c)];
      const [peersA, gone] = [new EventLog<PeerEvent>(), new EventLog<PeerEvent>()];
      a.onPeer(peersA.push);
      const removePeer = a.onPeer(gone.push);
      const bothSeen = (events: readonly PeerEvent[]) =>
        reachable(events).has(b.self) && reachable(events).has(c.self);
      await gone.waitFor('A sees B and C', bothSeen, 20);
      removePeer();
      const seenBefore = gone.events.length;
      c.subscribe('t');
      await c.close();
      await c.close(); // closing twice is harmless
      const wentAway = (events: readonly PeerEvent[]) =>
        events.some((e) => e.device === c.self && !e.reachable);
      await peersA.waitFor('A sees C go', wentAway, 20);
      expect(gone.events).toHaveLength(seenBefore);
      // Neither may throw synchronously; each may reject or resolve.
      const outcomes = [
        c.sendTo(a.self, text('late')),
        c.publish('t', text('late')),
        a.sendTo(c.self, text('x')),
      ];
      await Promise.all(outcomes.map((p) => p.catch(() => undefined)));
      await b.sendTo(a.self, text('fence'));
      await inA.waitFor(
        'A gets the fence',
        (ms) => ms.some((x) => isDirect(x, b.self, text('fence'))),
        10,
      );
      expect(inA.events.filter((x) => x.kind === 'direct' && x.from === c.self)).toEqual([]);
      expect(inC.events).toEqual([]);
    });
  });
}
