import { setImmediate as nextMacrotask } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/crypto/bytes.ts';
import type { DeviceId } from '../../src/ids.ts';
import type { InboundMessage, PeerEvent, TransportPort } from '../../src/ports/transport.ts';
import { SeededRandom } from '../../src/testing/seeded-random.ts';
import { SimulatedNetwork } from '../../src/testing/simulated-network.ts';
import type { SimulatedNetworkOptions, TraceEvent } from '../../src/testing/simulation-options.ts';

const id = (name: string) => name as DeviceId;

function setUp(options: SimulatedNetworkOptions, names: readonly string[]) {
  const network = new SimulatedNetwork(options);
  const endpoints = names.map((n) => network.endpoint(id(n)));
  const inboxes = endpoints.map((e) => {
    const inbox: InboundMessage[] = [];
    e.onMessage((m) => inbox.push(m));
    return inbox;
  });
  const trace: TraceEvent[] = [];
  network.onTrace((e) => trace.push(e));
  return { network, endpoints, inboxes, trace };
}

const numbers = (inbox: readonly InboundMessage[]) => inbox.map((m) => m.data[0] ?? -1);

describe('SimulatedNetwork', () => {
  it('delivers nothing until it is stepped, then one event per step', async () => {
    const { network, endpoints, inboxes } = setUp({ seed: 1 }, ['a', 'b']);
    const [a, b] = endpoints as [TransportPort, TransportPort];
    await a.sendTo(b.self, Uint8Array.of(1));
    await a.sendTo(b.self, Uint8Array.of(2));
    await nextMacrotask();
    expect(inboxes[1]).toEqual([]);
    expect(network.pending).toBe(3); // the join's peer event and two messages
    expect(network.step()).toBe(true);
    network.step();
    expect(numbers(inboxes[1] ?? [])).toEqual([1]);
    network.step();
    expect(network.step()).toBe(false);
    expect(numbers(inboxes[1] ?? [])).toEqual([1, 2]);
    expect(network.stats).toEqual({ sent: 2, delivered: 2, dropped: 0, duplicated: 0 });
  });

  it('delays each message within the configured bounds, on a virtual clock', async () => {
    const start = 1_000_000;
    const { network, endpoints, trace } = setUp(
      { seed: 2, startTime: start, minDelayMs: 10, maxDelayMs: 30, reorder: true },
      ['a', 'b'],
    );
    const [a, b] = endpoints as [TransportPort, TransportPort];
    expect(network.clock.now()).toBe(start);
    for (let i = 0; i < 100; i++) await a.sendTo(b.self, Uint8Array.of(i));
    await network.runUntilIdle();
    const times = trace.map((e) => e.time - start);
    expect(times.every((t) => t >= 10 && t <= 30)).toBe(true);
    expect(new Set(times).size).toBeGreaterThan(5);
    expect(network.now).toBe(start + Math.max(...times));
    expect(network.clock.now()).toBe(network.now);
    await network.advance(1000);
    expect(network.now).toBe(start + Math.max(...times) + 1000);
  });

  it('keeps each link in order unless reordering is on', async () => {
    const run = async (reorder: boolean) => {
      const { network, endpoints, inboxes } = setUp(
        { seed: 3, minDelayMs: 0, maxDelayMs: 100, reorder },
        ['a', 'b'],
      );
      const [a, b] = endpoints as [TransportPort, TransportPort];
      for (let i = 0; i < 100; i++) await a.sendTo(b.self, Uint8Array.of(i));
      await network.runUntilIdle();
      return numbers(inboxes[1] ?? []);
    };
    const inOrder = Array.from({ length: 100 }, (_, i) => i);
    expect(await run(false)).toEqual(inOrder);
    const reordered = await run(true);
    expect(reordered).not.toEqual(inOrder);
    expect([...reordered].sort((x, y) => x - y)).toEqual(inOrder);
  });

  it('drops and duplicates as configured, and counts both', async () => {
    const { network, endpoints, inboxes, trace } = setUp(
      { seed: 4, dropProbability: 0.3, duplicateProbability: 0.2 },
      ['a', 'b'],
    );
    const [a, b] = endpoints as [TransportPort, TransportPort];
    for (let i = 0; i < 1000; i++) await a.sendTo(b.self, Uint8Array.of(i & 255, i >> 8));
    await network.runUntilIdle();
    const { sent, delivered, dropped, duplicated } = network.stats;
    expect(sent).toBe(1000);
    expect(delivered).toBe(sent - dropped + duplicated);
    expect(inboxes[1]).toHaveLength(delivered);
    expect(dropped).toBeGreaterThan(200);
    expect(dropped).toBeLessThan(400);
    expect(duplicated).toBeGreaterThan(100);
    expect(duplicated).toBeLessThan(200);
    expect(trace.filter((e) => e.type === 'drop' && e.reason === 'random')).toHaveLength(dropped);
    const distinct = new Set((inboxes[1] ?? []).map((m) => toHex(m.data)));
    expect(distinct.size).toBe(sent - dropped);
  });

  it('gives every receiver its own copy of the bytes', async () => {
    const { network, endpoints, inboxes } = setUp({ seed: 5, duplicateProbability: 1 }, [
      'a',
      'b',
      'c',
    ]);
    const [a, b, c] = endpoints as [TransportPort, TransportPort, TransportPort];
    b.subscribe('t');
    c.subscribe('t');
    const data = Uint8Array.of(1, 2, 3);
    await a.publish('t', data);
    data.fill(0);
    await network.runUntilIdle();
    const received = [...(inboxes[1] ?? []), ...(inboxes[2] ?? [])];
    expect(received).toHaveLength(4);
    expect(received.every((m) => toHex(m.data) === '010203')).toBe(true);
    expect(new Set(received.map((m) => m.data.buffer)).size).toBe(4);
  });

  it('cuts partitions, reports peers, and heals', async () => {
    const { network, endpoints, inboxes, trace } = setUp({ seed: 6 }, ['a', 'b', 'c', 'd']);
    const [a, b, c, d] = endpoints as [TransportPort, TransportPort, TransportPort, TransportPort];
    const peerLogs = endpoints.map((e) => {
      const log: PeerEvent[] = [];
      e.onPeer((p) => log.push(p));
      return log;
    });
    await network.runUntilIdle();
    expect(peerLogs[0]?.map((p) => p.device).sort()).toEqual(['b', 'c', 'd']);
    for (const e of endpoints) e.subscribe('t');

    await a.sendTo(c.self, Uint8Array.of(1)); // under way when the partition starts
    network.partition([[a.self, b.self], [c.self]]); // d, in no group, is alone with the rest
    expect(network.canReach(a.self, b.self)).toBe(true);
    expect(network.canReach(a.self, c.self)).toBe(false);
    expect(network.canReach(c.self, d.self)).toBe(false);
    await expect(a.sendTo(c.self, Uint8Array.of(2))).rejects.toMatchObject({
      code: 'TRANSPORT_UNREACHABLE',
    });
    await a.publish('t', Uint8Array.of(3));
    await network.runUntilIdle();
    expect(numbers(inboxes[1] ?? [])).toEqual([3]);
    expect(inboxes[2]).toEqual([]);
    expect(inboxes[3]).toEqual([]);
    expect(trace.filter((e) => e.type === 'drop')).toMatchObject([
      { from: 'a', to: 'c', reason: 'partition' },
    ]);
    expect(peerLogs[2]?.slice(-3)).toEqual([
      { device: 'a', reachable: false },
      { device: 'b', reachable: false },
      { device: 'd', reachable: false },
    ]);
    // A handler registered now hears only of the devices reachable now.
    const late: PeerEvent[] = [];
    a.onPeer((p) => late.push(p));
    await network.runUntilIdle();
    expect(late).toEqual([{ device: 'b', reachable: true }]);

    network.heal();
    await network.runUntilIdle();
    expect(late.map((p) => [p.device, p.reachable])).toEqual([
      ['b', true],
      ['c', true],
      ['d', true],
    ]);
    await a.sendTo(c.self, Uint8Array.of(4));
    await network.runUntilIdle();
    expect(numbers(inboxes[2] ?? [])).toEqual([4]);
    expect(() => {
      network.partition([[a.self], [a.self]]);
    }).toThrow(/two partition groups/);
  });

  it('drops what arrives at a closed endpoint or an unsubscribed topic, and reports the close', async () => {
    const { network, endpoints, trace } = setUp({ seed: 7 }, ['a', 'b', 'c']);
    const [a, b, c] = endpoints as [TransportPort, TransportPort, TransportPort];
    b.subscribe('t');
    const peers: PeerEvent[] = [];
    a.onPeer((p) => peers.push(p));
    await a.sendTo(c.self, Uint8Array.of(1));
    await a.publish('t', Uint8Array.of(2));
    b.unsubscribe('t');
    await c.close();
    await network.runUntilIdle();
    expect(trace.map((e) => (e.type === 'drop' ? e.reason : e.type))).toEqual([
      'closed',
      'unsubscribed',
    ]);
    expect(peers.at(-1)).toEqual({ device: 'c', reachable: false });
    expect(network.devices).toEqual(['a', 'b']);
    await expect(c.sendTo(a.self, Uint8Array.of(3))).rejects.toMatchObject({
      code: 'TRANSPORT_CLOSED',
    });
  });

  it('runs scheduled callbacks in virtual time, in order with deliveries', async () => {
    const { network, endpoints, inboxes } = setUp({ seed: 8, minDelayMs: 50, maxDelayMs: 50 }, [
      'a',
      'b',
    ]);
    const [a, b] = endpoints as [TransportPort, TransportPort];
    const start = network.now;
    const log: string[] = [];
    b.onMessage(() => log.push(`message at ${network.now - start}`));
    network.schedule(20, () => log.push(`timer at ${network.now - start}`));
    const cancel = network.schedule(30, () => log.push('cancelled timer'));
    network.schedule(80, () => log.push(`timer at ${network.now - start}`));
    cancel();
    await a.sendTo(b.self, Uint8Array.of(1));
    expect(await network.advance(60)).toBeGreaterThan(0);
    expect(log).toEqual(['timer at 20', 'message at 50']);
    expect(network.now - start).toBe(60);
    await network.advance(100);
    expect(log).toEqual(['timer at 20', 'message at 50', 'timer at 80']);
    expect(inboxes[1]).toHaveLength(1);
    expect(() => network.schedule(-1, () => undefined)).toThrow(RangeError);
  });

  it('waits for asynchronous handlers between deliveries', async () => {
    const { network, endpoints, inboxes } = setUp({ seed: 9 }, ['a', 'b']);
    const [a, b] = endpoints as [TransportPort, TransportPort];
    b.onMessage((m) => {
      void (async () => {
        for (let i = 0; i < 5; i++) await Promise.resolve(); // some async work first
        const n = m.data[0] ?? 0;
        if (n < 10) await b.sendTo(a.self, Uint8Array.of(n + 1));
      })();
    });
    a.onMessage((m) => void a.sendTo(b.self, Uint8Array.of((m.data[0] ?? 0) + 1)));
    await a.sendTo(b.self, Uint8Array.of(0));
    await network.runUntilIdle();
    expect(numbers(inboxes[0] ?? [])).toEqual([1, 3, 5, 7, 9]);
    expect(numbers(inboxes[1] ?? [])).toEqual([0, 2, 4, 6, 8, 10]);
  });

  it('stops a run that never goes idle after maxSteps', async () => {
    const { network, endpoints } = setUp({ seed: 10 }, ['a', 'b']);
    const [a, b] = endpoints as [TransportPort, TransportPort];
    a.onMessage(() => void a.sendTo(b.self, Uint8Array.of(0)));
    b.onMessage(() => void b.sendTo(a.self, Uint8Array.of(0)));
    await a.sendTo(b.self, Uint8Array.of(0));
    await expect(network.runUntilIdle({ maxSteps: 100 })).rejects.toThrow(
      /not idle after 100 steps/,
    );
    await expect(network.advance(10_000, { maxSteps: 100 })).rejects.toThrow(/not idle/);
  });

  it('refuses impossible conditions', () => {
    expect(() => new SimulatedNetwork({ seed: 1, minDelayMs: 5, maxDelayMs: 1 })).toThrow(
      RangeError,
    );
    expect(() => new SimulatedNetwork({ seed: 1, dropProbability: 2 })).toThrow(RangeError);
    const network = new SimulatedNetwork({ seed: 1 });
    expect(() => {
      network.configure({ duplicateProbability: Number.NaN });
    }).toThrow(RangeError);
    network.endpoint(id('a'));
    expect(() => network.endpoint(id('a'))).toThrow(/already/);
  });
});

/** A busy, faulty scenario: random traffic, replies, a partition, a heal, configure. */
async function recordRun(seed: number): Promise<string[]> {
  const names = ['a', 'b', 'c', 'd'];
  const { network, endpoints, trace } = setUp(
    {
      seed,
      minDelayMs: 1,
      maxDelayMs: 40,
      reorder: true,
      dropProbability: 0.1,
      duplicateProbability: 0.1,
    },
    names,
  );
  const traffic = new SeededRandom(seed).fork();
  for (const e of endpoints) {
    e.subscribe('room');
    e.onMessage((m) => {
      if (m.kind === 'direct' && (m.data[0] ?? 0) < 3)
        void e.sendTo(m.from, Uint8Array.of((m.data[0] ?? 0) + 1));
    });
  }
  const send = async (round: number) => {
    const from = traffic.pick(endpoints);
    if (traffic.chance(0.5)) await from.publish('room', Uint8Array.of(100, round));
    else
      await from
        .sendTo(traffic.pick(endpoints.filter((e) => e !== from)).self, Uint8Array.of(0, round))
        .catch(() => undefined);
  };
  for (let round = 0; round < 30; round++) {
    await send(round);
    if (round === 10) network.partition([[id('a'), id('b')]]);
    if (round === 20) {
      network.heal();
      network.configure({ dropProbability: 0 });
    }
    await network.advance(traffic.int(30));
  }
  await network.runUntilIdle();
  return trace.map((e) =>
    e.type === 'deliver'
      ? `${e.time} ${e.from}>${e.to} ${e.message.kind} ${toHex(e.message.data)}`
      : `${e.time} ${e.from}>${e.to} drop ${e.reason}`,
  );
}

describe('SimulatedNetwork determinism', () => {
  it('replays the same deliveries for the same seed and calls', async () => {
    const first = await recordRun(42);
    const second = await recordRun(42);
    expect(first.length).toBeGreaterThan(50);
    expect(second).toEqual(first);
    expect(
      first.some((line) => line.includes('drop partition') || line.includes('drop random')),
    ).toBe(true);
    expect(await recordRun(43)).not.toEqual(first);
  });
});
