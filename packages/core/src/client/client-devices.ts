import { encodeDeviceCertificate, issueDeviceCertificate } from '../identity/device-certificate.ts';
import { encodeDeviceList } from '../identity/device-list-codec.ts';
import type { DeviceList } from '../identity/device-list.ts';
import type { UserIdentity } from '../identity/identities.ts';
import { deviceIdFromPublicKey, isDeviceId } from '../identity/user-id.ts';
import type { DeviceId, RoomId, UserId } from '../ids.ts';
import type { DeviceContext } from './device-context.ts';
import { ClientError } from './errors.ts';
import { removeDevicesIntent } from './intent.ts';

/** What KithClient does with its user's devices (linking, listing, revoking). */

/** One device of a user, as their signed device list names it. */
export interface ListedDevice {
  readonly deviceId: DeviceId;
  /** The name its certificate carries. */
  readonly name: string;
  /** When its certificate was issued (ms since the epoch, the certifying device's clock). */
  readonly addedAt: number;
}

/** A user's devices by their newest signed list: the listed ones, and those revoked. */
export interface DeviceListView {
  readonly userId: UserId;
  readonly version: number;
  readonly devices: readonly ListedDevice[];
  readonly revoked: readonly DeviceId[];
}

/** What certifying a new device gave: its certificate and the new list naming it. */
export interface CertifiedDevice {
  readonly certificate: Uint8Array;
  /** The user's new signed device list (encoded), for the new device to start from. */
  readonly deviceList: Uint8Array;
}

/** What revoking a device did in each room. */
export interface RevokeReport {
  readonly deviceId: DeviceId;
  /** Rooms the device was removed from. */
  readonly removedFrom: readonly RoomId[];
  /** Rooms where its removal was refused or failed, with why. */
  readonly failed: readonly { readonly roomId: RoomId; readonly reason: string }[];
}

/** The view of a list (or undefined when none is known). */
export function viewOf(list: DeviceList | undefined, userId: UserId): DeviceListView | undefined {
  if (list === undefined) return undefined;
  return {
    userId,
    version: list.version,
    devices: list.devices.map((c) => ({
      deviceId: deviceIdFromPublicKey(c.devicePublicKey),
      name: c.deviceName,
      addedAt: c.issuedAt,
    })),
    revoked: list.revoked,
  };
}

/**
 * Certifies a new device of this user, lists it in the user's signed list, and publishes that
 * list in every room (so members see the new device before it is added).
 */
export async function certifyNewDevice(
  d: DeviceContext,
  devicePublicKey: Uint8Array,
  deviceName: string,
): Promise<CertifiedDevice> {
  const user = userKeyOf(d);
  const certificate = encodeDeviceCertificate(
    issueDeviceCertificate(user.keyPair, devicePublicKey, deviceName, d.env.clock.now()),
  );
  const list = await d.deviceLists.addOwn(user, certificate);
  await publishDeviceLists(d);
  return { certificate, deviceList: encodeDeviceList(list) };
}

/**
 * Revokes a device of this user: a new signed list revoking it, published in every room first
 * (the device hears of it while still a member), then its removal from every room it is in.
 */
export async function revokeOwnDevice(d: DeviceContext, deviceId: DeviceId): Promise<RevokeReport> {
  const user = userKeyOf(d);
  if (!isDeviceId(deviceId)) throw new ClientError('INVALID_ARGUMENT', 'not a device ID');
  if (deviceId === d.device.deviceId) {
    throw new ClientError('INVALID_ARGUMENT', 'revoke this device from another of your devices');
  }
  await d.deviceLists.revokeOwn(user, deviceId);
  await publishDeviceLists(d);
  const removedFrom: RoomId[] = [];
  const failed: { roomId: RoomId; reason: string }[] = [];
  for (const session of d.sessions.values()) {
    if (!session.active || !session.isMemberDevice(deviceId)) continue;
    try {
      await session.change(removeDevicesIntent([deviceId]));
      removedFrom.push(session.roomId);
    } catch (error) {
      if (!(error instanceof ClientError)) throw error;
      failed.push({ roomId: session.roomId, reason: error.message });
    }
  }
  return { deviceId, removedFrom, failed };
}

/**
 * The periodic device work: this user's newest list published in every room, and this user's
 * revoked devices removed from the rooms this device shares with them (a revocation made on
 * another device of the user, or a removal that failed before).
 */
export async function tickDevices(d: DeviceContext): Promise<void> {
  await publishDeviceLists(d);
  const own = d.device.userId;
  for (const session of d.sessions.values()) {
    if (!session.active) continue;
    const revoked = session
      .members()
      .filter((m) => m.userId === own && d.deviceLists.isRevoked(m.deviceId, own))
      .map((m) => m.deviceId);
    if (revoked.length === 0 || revoked.includes(d.device.deviceId)) continue;
    await session.change(removeDevicesIntent(revoked)).catch((error: unknown) => {
      if (!(error instanceof ClientError)) throw error;
    });
  }
}

/** Publishes this user's newest device list in every room this device is in (see DeviceLists). */
async function publishDeviceLists(d: DeviceContext): Promise<void> {
  for (const session of d.sessions.values()) {
    await d.deviceLists.publish(session, d.device.userId);
  }
}

function userKeyOf(d: DeviceContext): UserIdentity {
  if (d.user === undefined) {
    throw new ClientError(
      'NOT_ALLOWED',
      'this device does not hold the user key: link or revoke devices from one that does',
    );
  }
  return d.user;
}
