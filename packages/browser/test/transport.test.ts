import { generateKeyPair } from '@libp2p/crypto/keys';
import { multiaddr } from '@multiformats/multiaddr';
import { describe, expect, inject, it } from 'vitest';
import type { TransportPort } from '@kith/core';
import { runTransportTests } from '@kith/core/testing';
import { Libp2pTransport, moveOffRelays, PeerGuard, type DeviceLibp2p } from '@kith/runtime';
import { createBrowserLibp2p } from '../src/index.ts';

const relay = inject('relayAddress');

interface Endpoint {
  readonly libp2p: DeviceLibp2p;
  readonly transport: Libp2pTransport;
}

const byTransport = new Map<TransportPort, Endpoint>();

/** A browser device's network stack with a reservation on the test relay. */
async function startEndpoint(): Promise<Endpoint> {
  const guard = new PeerGuard();
  const libp2p = await createBrowserLibp2p(await generateKeyPair('Ed25519'), guard, {
    relays: [relay],
    dialInsecure: true,
  });
  await new Promise<void>((resolve) => {
    const reserved = () => libp2p.getMultiaddrs().some((a) => a.toString().includes('/webrtc'));
    if (reserved()) {
      resolve();
      return;
    }
    const listener = () => {
      if (!reserved()) return;
      libp2p.removeEventListener('self:peer:update', listener);
      resolve();
    };
    libp2p.addEventListener('self:peer:update', listener);
  });
  // As on a device (deviceTransport): traffic moves off the relay once WebRTC is up.
  moveOffRelays(libp2p);
  const transport = await Libp2pTransport.start({ libp2p, guard });
  return { libp2p, transport };
}

/** Resolves once `from` reports `to` reachable (identify done, Kith protocol supported). */
function reachable(from: Endpoint, to: Endpoint): Promise<void> {
  const target = to.libp2p.peerId.toString();
  return new Promise((resolve) => {
    const off = from.transport.onPeer((e) => {
      if (e.reachable && from.transport.peerOf(e.device)?.toString() === target) {
        off();
        resolve();
      }
    });
  });
}

/** Resolves once no two endpoints are connected through the relay any more. */
async function relayedGone(endpoints: readonly Endpoint[]): Promise<void> {
  const ids = new Set(endpoints.map((e) => e.libp2p.peerId.toString()));
  const relayedPeers = (e: Endpoint) =>
    e.libp2p.getConnections().filter((c) => !c.direct && ids.has(c.remotePeer.toString()));
  await Promise.all(
    endpoints.map(
      (e) =>
        new Promise<void>((resolve) => {
          if (relayedPeers(e).length === 0) {
            resolve();
            return;
          }
          const listener = () => {
            if (relayedPeers(e).length > 0) return;
            e.libp2p.removeEventListener('connection:close', listener);
            resolve();
          };
          e.libp2p.addEventListener('connection:close', listener);
        }),
    ),
  );
}

/**
 * Streams between endpoints that do not run on a direct WebRTC connection (the relayed
 * connection that carried the WebRTC handshake may stay open, but carries nothing else).
 */
function relayedStreams(endpoints: readonly Endpoint[]): string[] {
  const relayPeer = relay.slice(relay.lastIndexOf('/p2p/') + 5);
  return endpoints.flatMap((e) =>
    e.libp2p
      .getConnections()
      .filter((c) => c.remotePeer.toString() !== relayPeer)
      .filter((c) => !c.remoteAddr.toString().includes('/webrtc'))
      .flatMap((c) => c.streams.map((s) => s.protocol)),
  );
}

/**
 * Connects every pair over WebRTC, each dial signalled through the relay, and resolves once
 * all see each other and no traffic is left on the relay.
 */
async function connectAll(endpoints: readonly Endpoint[]): Promise<void> {
  const waits: Promise<void>[] = [];
  for (const a of endpoints) for (const b of endpoints) if (a !== b) waits.push(reachable(a, b));
  for (const [i, a] of endpoints.entries()) {
    for (const b of endpoints.slice(i + 1)) {
      const target = `${relay}/p2p-circuit/webrtc/p2p/${b.libp2p.peerId.toString()}`;
      await a.libp2p.dial(multiaddr(target));
    }
  }
  await Promise.all(waits);
  await relayedGone(endpoints);
  // Traffic between tabs goes over their own data channels, not through the relay.
  expect(relayedStreams(endpoints)).toEqual([]);
}

runTransportTests(
  { describe, it, expect },
  {
    name: 'libp2p in Chromium: WebRTC between tabs, signalled through the relay',
    timeoutMs: 60_000,
    async createNetwork(n) {
      const endpoints: Endpoint[] = [];
      const close = async () => {
        for (const e of endpoints) {
          byTransport.delete(e.transport);
          await e.transport.close();
        }
      };
      try {
        for (let i = 0; i < n; i++) endpoints.push(await startEndpoint());
        await connectAll(endpoints);
      } catch (e) {
        // A network that never came up still holds reservations on the shared relay: free them,
        // or the next test waits for a reservation the relay will not grant.
        await close();
        throw e;
      }
      for (const e of endpoints) byTransport.set(e.transport, e);
      return { endpoints: endpoints.map((e) => e.transport), close };
    },
    async subscribed(topic, subscribers) {
      const all = [...byTransport.values()];
      const subs = subscribers.map((t) => byTransport.get(t)?.libp2p.peerId.toString());
      await Promise.all(
        all.map(
          (e) =>
            new Promise<void>((resolve) => {
              const pubsub = e.libp2p.services.pubsub;
              const check = () => {
                const known = new Set(pubsub.getSubscribers(topic).map((p) => p.toString()));
                const self = e.libp2p.peerId.toString();
                return subs.every((s) => s === undefined || s === self || known.has(s));
              };
              if (check()) {
                resolve();
                return;
              }
              const listener = () => {
                if (!check()) return;
                pubsub.removeEventListener('subscription-change', listener);
                resolve();
              };
              pubsub.addEventListener('subscription-change', listener);
            }),
        ),
      );
    },
  },
);

describe('two tabs connected through a relay', () => {
  it('upgrade to WebRTC by themselves and close the relayed connection', async () => {
    const a = await startEndpoint();
    const b = await startEndpoint();
    try {
      // A plain relayed address, as a device learns it from a member list or an old contact.
      await a.libp2p.dial(multiaddr(`${relay}/p2p-circuit/p2p/${b.libp2p.peerId.toString()}`));
      const direct = (from: Endpoint, to: Endpoint) =>
        from.libp2p
          .getConnections(to.libp2p.peerId)
          .some((c) => c.remoteAddr.toString().includes('/webrtc'));
      await new Promise<void>((resolve) => {
        const check = () => {
          if (!direct(a, b) || !direct(b, a)) return;
          a.libp2p.removeEventListener('connection:open', check);
          b.libp2p.removeEventListener('connection:open', check);
          resolve();
        };
        a.libp2p.addEventListener('connection:open', check);
        b.libp2p.addEventListener('connection:open', check);
        check();
      });
      await relayedGone([a, b]);
      expect(relayedStreams([a, b])).toEqual([]);
    } finally {
      await a.transport.close();
      await b.transport.close();
    }
  });
});
