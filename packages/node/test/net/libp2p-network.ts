import { generateKeyPair } from '@libp2p/crypto/keys';
import type { PeerId } from '@libp2p/interface';
import { createDeviceLibp2p } from '../../src/net/create-libp2p.ts';
import { Libp2pTransport, PeerGuard, type DeviceLibp2p } from '@kith/runtime';

const LOOPBACK = ['/ip4/127.0.0.1/tcp/0'];

export interface Libp2pEndpoint {
  readonly libp2p: DeviceLibp2p;
  readonly transport: Libp2pTransport;
  readonly guard: PeerGuard;
}

/** A device's network stack on loopback, with a fresh key and no discovery. */
export async function startEndpoint(
  options: {
    acceptTopicMessage?: (d: Uint8Array) => boolean;
    acceptDirectFrame?: (d: Uint8Array) => boolean;
  } = {},
): Promise<Libp2pEndpoint> {
  const guard = new PeerGuard();
  const libp2p = await createDeviceLibp2p(await generateKeyPair('Ed25519'), guard, {
    listen: LOOPBACK,
    mdns: false,
  });
  const transport = await Libp2pTransport.start({ libp2p, guard, ...options });
  return { libp2p, transport, guard };
}

/** Resolves once `transport` reports `device` reachable (identify done, protocol supported). */
function reachable(transport: Libp2pTransport, peer: PeerId): Promise<void> {
  const target = peer.toString();
  return new Promise((resolve) => {
    const off = transport.onPeer((e) => {
      if (e.reachable && transport.peerOf(e.device)?.toString() === target) {
        off();
        resolve();
      }
    });
  });
}

/** Connects every pair of endpoints and waits until each sees all the others. */
export async function connectAll(endpoints: readonly Libp2pEndpoint[]): Promise<void> {
  const waits: Promise<void>[] = [];
  for (const a of endpoints) {
    for (const b of endpoints) if (a !== b) waits.push(reachable(a.transport, b.libp2p.peerId));
  }
  for (let i = 0; i < endpoints.length; i++) {
    for (let j = i + 1; j < endpoints.length; j++) {
      const a = endpoints[i];
      const b = endpoints[j];
      if (a !== undefined && b !== undefined) await a.libp2p.dial(b.libp2p.getMultiaddrs());
    }
  }
  await Promise.all(waits);
}

/** Resolves once every endpoint but the subscribers knows that they subscribed to `topic`. */
export async function awaitSubscribed(
  endpoints: readonly Libp2pEndpoint[],
  topic: string,
  subscribers: readonly Libp2pEndpoint[],
): Promise<void> {
  await Promise.all(
    endpoints.map(
      (e) =>
        new Promise<void>((resolve) => {
          const pubsub = e.libp2p.services.pubsub;
          const check = (): boolean => {
            const known = new Set(pubsub.getSubscribers(topic).map((p) => p.toString()));
            return subscribers.every((s) => s === e || known.has(s.libp2p.peerId.toString()));
          };
          if (check()) {
            resolve();
            return;
          }
          const listener = (): void => {
            if (!check()) return;
            pubsub.removeEventListener('subscription-change', listener);
            resolve();
          };
          pubsub.addEventListener('subscription-change', listener);
        }),
    ),
  );
}

export async function stopAll(endpoints: readonly Libp2pEndpoint[]): Promise<void> {
  for (const e of endpoints) await e.transport.close();
}
