import { describe, expect, it } from 'vitest';
import { runTransportTests } from '@kith/core/testing';
import type { TransportPort } from '@kith/core';
import {
  awaitSubscribed,
  connectAll,
  startEndpoint,
  stopAll,
  type Libp2pEndpoint,
} from './libp2p-network.ts';

const byTransport = new Map<TransportPort, Libp2pEndpoint>();

runTransportTests(
  { describe, it, expect },
  {
    name: 'libp2p over loopback TCP',
    timeoutMs: 30_000,
    async createNetwork(n) {
      const endpoints: Libp2pEndpoint[] = [];
      for (let i = 0; i < n; i++) endpoints.push(await startEndpoint());
      for (const e of endpoints) byTransport.set(e.transport, e);
      await connectAll(endpoints);
      return {
        endpoints: endpoints.map((e) => e.transport),
        close: async () => {
          for (const e of endpoints) byTransport.delete(e.transport);
          await stopAll(endpoints);
        },
      };
    },
    async subscribed(topic, subscribers) {
      const all = [...byTransport.values()];
      const subs = subscribers.map((t) => byTransport.get(t)).filter((e) => e !== undefined);
      await awaitSubscribed(all, topic, subs);
    },
  },
);
