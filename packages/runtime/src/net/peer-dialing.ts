import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import type { DeviceId } from '@kith/core';
import { describeError, DeviceError } from '../errors.ts';
import type { DeviceLibp2p } from './device-libp2p.ts';
import { deviceIdOfPeer } from './peer-identity.ts';

/** Remembered or discovered peers dialled at once when a device opens. */
const STARTUP_DIALS = 64;

/**
 * Dials peers as a device learns of them: those found by discovery (mDNS, bootstrap) at once,
 * and, once, those already in the peer store when the device opened (found while it was
 * opening, or remembered from the last run). Bounded: a long-lived device may remember many
 * peers; the member locator finds the rest.
 */
export function dialKnownPeers(libp2p: DeviceLibp2p, closed: () => boolean): void {
  libp2p.addEventListener('peer:discovery', (event) => {
    if (closed() || libp2p.getConnections(event.detail.id).length > 0) return;
    libp2p.dial(event.detail.id).catch(() => undefined);
  });
  void libp2p.peerStore.all({ limit: STARTUP_DIALS }).then((peers) => {
    for (const p of peers) {
      if (closed() || p.id.equals(libp2p.peerId)) continue;
      if (libp2p.getConnections(p.id).length > 0) continue;
      libp2p.dial(p.id).catch(() => undefined);
    }
  });
}

/** Connects to a multiaddr that ends in /p2p/<peer id>; resolves to that device's ID. */
export async function dialDevice(libp2p: DeviceLibp2p, address: string): Promise<DeviceId> {
  let target: Multiaddr;
  try {
    target = multiaddr(address);
  } catch (cause) {
    throw new DeviceError('BAD_ADDRESS', `"${address}" is not a multiaddr`, { cause });
  }
  const connection = await libp2p.dial(target).catch((cause: unknown) => {
    throw new DeviceError('UNREACHABLE', `cannot connect to ${address}: ${describeError(cause)}`, {
      cause,
    });
  });
  const device = deviceIdOfPeer(connection.remotePeer);
  if (device === undefined) {
    throw new DeviceError(
      'BAD_ADDRESS',
      `${address} is not a Kith device (its key is not Ed25519)`,
    );
  }
  return device;
}
