import {
  keyPackageOwner,
  type DeviceId,
  type KithClient,
  type RoomId,
  type UserId,
} from '@kith/core';
import type { ContactBook } from './contacts/contact-book.ts';
import { describeError, DeviceError } from './errors.ts';
import type { DeviceLibp2p } from './net/device-libp2p.ts';
import { fetchKeyPackage } from './net/key-package-exchange.ts';
import type { Libp2pTransport } from './net/libp2p-transport.ts';
import { peerIdOfDeviceKey } from './net/peer-identity.ts';
import type { RelayLink } from './relay/relay-link.ts';

export interface InvitationParts {
  readonly client: KithClient;
  readonly libp2p: DeviceLibp2p;
  readonly transport: Libp2pTransport;
  readonly contacts: ContactBook;
  readonly relayLink: RelayLink;
}

/**
 * One key package per device of `user`, to invite them: asked of each device known (from the
 * contact link or a shared room) directly, and for those that do not answer, taken from the
 * relays. Each is checked to be the device's own.
 */
export async function keyPackagesOf(parts: InvitationParts, user: UserId): Promise<Uint8Array[]> {
  const devices = devicesOf(parts, user);
  const results = await Promise.allSettled(
    [...devices].map(([deviceId, publicKey]) =>
      fetchKeyPackage(parts.libp2p, peerIdOfDeviceKey(publicKey), deviceId, user),
    ),
  );
  const packages = new Map<DeviceId, Uint8Array>();
  for (const r of results) {
    if (r.status !== 'fulfilled') continue;
    const owner = keyPackageOwner(r.value);
    if (owner !== undefined) packages.set(owner.deviceId, r.value);
  }
  // Devices that did not answer (offline) may have left key packages on a relay.
  if (packages.size < Math.max(devices.size, 1) && parts.relayLink.relays.length > 0) {
    for (const kp of await parts.relayLink.takeKeyPackages(user).catch(() => [])) {
      const owner = keyPackageOwner(kp);
      if (owner === undefined || packages.has(owner.deviceId)) continue;
      packages.set(owner.deviceId, kp);
      // The Welcome for it goes to the device's inbox, which needs its peer ID.
      parts.transport.learn(owner.deviceId, peerIdOfDeviceKey(owner.publicKey));
    }
  }
  if (packages.size > 0) return [...packages.values()];
  if (devices.size === 0) {
    throw new DeviceError(
      'UNKNOWN_CONTACT',
      `no device of ${user} is known here and no relay has key packages for them: add their contact link first`,
    );
  }
  const first = results.find((r) => r.status === 'rejected');
  throw new DeviceError(
    'UNREACHABLE',
    `none of ${user}'s devices answered (${describeError(first?.reason)}) and no relay holds key packages for them: try again when they are online`,
  );
}

/**
 * The key packages of devices not in the room yet: inviting a member again adds only their
 * new devices (one restored from a backup), while a relay may still hold key packages of the
 * devices already in (an MLS commit may not add a member twice).
 */
export function withoutMembers(
  client: KithClient,
  roomId: RoomId,
  user: UserId,
  packages: readonly Uint8Array[],
): Uint8Array[] {
  const inRoom = new Set(client.room(roomId).devices.map((d) => d.deviceId));
  const out = packages.filter((kp) => {
    const owner = keyPackageOwner(kp);
    return owner !== undefined && !inRoom.has(owner.deviceId);
  });
  if (out.length === 0) {
    throw new DeviceError(
      'UNREACHABLE',
      `every device of ${user} that answered is in the room already`,
    );
  }
  return out;
}

/** Known devices of a user: from their contact link and from shared rooms. */
function devicesOf(parts: InvitationParts, user: UserId): Map<DeviceId, Uint8Array> {
  const out = new Map<DeviceId, Uint8Array>();
  for (const d of parts.contacts.get(user)?.devices ?? []) out.set(d.deviceId, d.publicKey);
  for (const room of parts.client.rooms()) {
    for (const d of room.devices) if (d.userId === user) out.set(d.deviceId, d.publicKey);
  }
  return out;
}
