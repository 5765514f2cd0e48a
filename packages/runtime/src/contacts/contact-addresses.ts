import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import type { ContactLink } from '@kith/core';
import type { DeviceLibp2p } from '../net/device-libp2p.ts';
import type { Libp2pTransport } from '../net/libp2p-transport.ts';
import { peerIdOfDeviceKey } from '../net/peer-identity.ts';

/**
 * Tells libp2p where a contact's devices are: their own addresses, and a circuit address
 * through each relay the contact named, so a device behind NAT is reachable through its relay.
 */
export async function learnContact(
  contact: ContactLink,
  libp2p: DeviceLibp2p,
  transport: Libp2pTransport,
): Promise<void> {
  const relays = parse(contact.relays);
  for (const d of contact.devices) {
    const peer = peerIdOfDeviceKey(d.publicKey);
    transport.learn(d.deviceId, peer);
    const addresses = [
      ...parse(d.addresses),
      ...relays.map((r) => r.encapsulate(`/p2p-circuit/p2p/${peer.toString()}`)),
    ];
    if (addresses.length > 0) await libp2p.peerStore.merge(peer, { multiaddrs: addresses });
  }
}

function parse(list: readonly Uint8Array[]): Multiaddr[] {
  return list.flatMap((bytes) => {
    try {
      return [multiaddr(bytes)];
    } catch {
      return [];
    }
  });
}
