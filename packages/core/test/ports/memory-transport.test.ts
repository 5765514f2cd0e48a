import { describe, expect, it } from 'vitest';
import type { DeviceId } from '../../src/ids.ts';
import { runTransportTests } from '../../src/ports/transport-port-tests.ts';
import type { InboundMessage } from '../../src/ports/transport.ts';
import { createMemoryNetwork } from '../../src/testing/memory-transport.ts';

const device = (name: string) => name as DeviceId;

runTransportTests(
  { describe, it, expect },
  {
    name: 'memory network',
    createNetwork: (n) => {
      const network = createMemoryNetwork();
      const endpoints = Array.from({ length: n }, (_, i) => network.endpoint(device(`d${i}`)));
      return Promise.resolve({
        endpoints,
        close: async () => {
          await Promise.all(endpoints.map((e) => e.close()));
        },
      });
    },
  },
);

describe('memory network', () => {
  it('delivers on a later microtask, never inside the send', async () => {
    const network = createMemoryNetwork();
    const [a, b] = [network.endpoint(device('a')), network.endpoint(device('b'))];
    const got: InboundMessage[] = [];
    b.onMessage((m) => got.push(m));
    const sent = a.sendTo(b.self, Uint8Array.of(1));
    expect(got).toEqual([]);
    await sent;
    await Promise.resolve();
    expect(got).toEqual([{ kind: 'direct', from: a.self, data: Uint8Array.of(1) }]);
  });

  it('keeps the order of sends between two endpoints', async () => {
    const network = createMemoryNetwork();
    const [a, b] = [network.endpoint(device('a')), network.endpoint(device('b'))];
    const got: number[] = [];
    b.onMessage((m) => got.push(m.data[0] ?? -1));
    for (let i = 0; i < 50; i++) void a.sendTo(b.self, Uint8Array.of(i));
    await Promise.resolve();
    await Promise.resolve();
    expect(got).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('refuses sends to unknown devices, to itself and from a closed endpoint', async () => {
    const network = createMemoryNetwork();
    const a = network.endpoint(device('a'));
    await expect(a.sendTo(device('nobody'), Uint8Array.of(1))).rejects.toMatchObject({
      name: 'TransportError',
      code: 'TRANSPORT_UNREACHABLE',
    });
    await expect(a.sendTo(a.self, Uint8Array.of(1))).rejects.toMatchObject({
      code: 'TRANSPORT_UNREACHABLE',
    });
    await a.close();
    await expect(a.publish('t', Uint8Array.of(1))).rejects.toMatchObject({
      code: 'TRANSPORT_CLOSED',
    });
    expect(network.devices).toEqual([]);
  });

  it('lets a device join again after closing, and tells the others', async () => {
    const network = createMemoryNetwork();
    const a = network.endpoint(device('a'));
    expect(() => network.endpoint(device('a'))).toThrow(/already/);
    const b = network.endpoint(device('b'));
    const events: unknown[] = [];
    b.onPeer((e) => events.push(e));
    await Promise.resolve();
    await a.close();
    const again = network.endpoint(device('a'));
    await Promise.resolve();
    expect(events).toEqual([
      { device: 'a', reachable: true },
      { device: 'a', reachable: false },
      { device: 'a', reachable: true },
    ]);
    expect(network.devices).toEqual(['b', 'a']);
    await again.close();
  });

  it('delivers what was queued before a handler throws to the other handlers', async () => {
    const network = createMemoryNetwork();
    const [a, b] = [network.endpoint(device('a')), network.endpoint(device('b'))];
    const got: number[] = [];
    const failing = new Promise<unknown>((resolve) => {
      b.onMessage(() => {
        const error = new Error('handler failed');
        resolve(error);
        throw error;
      });
    });
    b.onMessage((m) => got.push(m.data[0] ?? -1));
    const unhandled = new Promise<unknown>((resolve) =>
      process.once('unhandledRejection', resolve),
    );
    await a.sendTo(b.self, Uint8Array.of(5));
    expect(await failing).toBeInstanceOf(Error);
    expect(got).toEqual([5]);
    // The error is not swallowed: it surfaces as an unhandled rejection, failing a careless test.
    expect(await unhandled).toMatchObject({ message: 'handler failed' });
  });
});
