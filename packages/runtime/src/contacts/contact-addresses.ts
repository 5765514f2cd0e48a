import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import { encodeContactLink, type ContactLink, type KithClient } from '@kith/core';
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

/** The multiaddr protocol code of /p2p: a contact link stores the peer ID once, as the key. */
const P2P_CODE = 421;

/** This user's contact link: their key, a name, this device and where to reach it. */
export function ownContactLink(
  client: KithClient,
  libp2p: DeviceLibp2p,
  relays: readonly string[],
  displayName: string,
): string {
  return encodeContactLink({
    userPublicKey: client.device.certificate.userPublicKey,
    displayName,
    devices: [
      {
        publicKey: client.device.keyPair.publicKey,
        addresses: libp2p
          .getMultiaddrs()
          .map((a) => a.decapsulateCode(P2P_CODE).bytes)
          .slice(0, 8),
      },
    ],
    relays: relays.slice(0, 8).map((a) => multiaddr(a).bytes),
  });
}
