import { encodeCbor } from '../cbor/encode.ts';
import { bytesEqual } from '../crypto/bytes.ts';
import type { DeviceId, UserId } from '../ids.ts';
import { decodeDeviceList, encodeDeviceList } from './device-list-codec.ts';
import { newerDeviceList, verifyDeviceList, type DeviceList } from './device-list.ts';
import { IdentityError } from './errors.ts';
import { decodeIdentityCbor, readVersioned, shape } from './shape.ts';
import { deviceIdFromPublicKey, isDeviceId, userIdFromPublicKey } from './user-id.ts';

/** What a device list offered to the book changed: devices that appeared or were revoked. */
export interface DeviceListChange {
  readonly userId: UserId;
  /** The list now kept for the user. */
  readonly list: DeviceList;
  /** Devices listed now that the list kept before did not list (all of them for a first list). */
  readonly added: readonly DeviceId[];
  /** Devices revoked now that were not revoked before. */
  readonly revoked: readonly DeviceId[];
  /** True if a list of this user was kept before (a change, not a first sight). */
  readonly hadList: boolean;
}

/** Why the book kept its list rather than the one offered. */
export type DeviceListRefusal =
  /** The list does not verify, or is of another user than the one it came from. */
  | 'invalid'
  /** The book already holds this list or a newer one. */
  | 'stale';

/** The outcome of offering a device list: kept (with what changed) or refused. */
export type DeviceListOffer =
  | { readonly kept: true; readonly change: DeviceListChange }
  | { readonly kept: false; readonly reason: DeviceListRefusal; readonly detail: string };

/**
 * The newest verified device list of each user this device has met (its own user's included),
 * and every device any valid list of theirs ever revoked. Revocation is sticky: a later list
 * that lists a revoked device again (signed on a stolen device holding the user key, say)
 * changes nothing for it, so a revoked device cannot bring itself back.
 */
export class DeviceListBook {
  readonly #lists = new Map<UserId, DeviceList>();
  readonly #revoked = new Map<UserId, Set<DeviceId>>();

  /**
   * Offers a list: kept if it verifies, is of `from` (the user whose device carried it), and is
   * newer than the one held (newerDeviceList). Never throws on bad input.
   */
  offer(list: DeviceList, from?: UserId): DeviceListOffer {
    const check = verifyDeviceList(list);
    if (!check.ok) return { kept: false, reason: 'invalid', detail: check.reason };
    const userId = userIdFromPublicKey(list.userPublicKey);
    if (from !== undefined && from !== userId) {
      return { kept: false, reason: 'invalid', detail: `a list of ${userId} sent as ${from}'s` };
    }
    const held = this.#lists.get(userId);
    if (held !== undefined) {
      const same = held.version === list.version && bytesEqual(held.signature, list.signature);
      if (same || newerDeviceList(held, list) === held) {
        return { kept: false, reason: 'stale', detail: `version ${list.version} is not newer` };
      }
    }
    const revokedBefore = this.#revoked.get(userId) ?? new Set<DeviceId>();
    const listedBefore = new Set(
      held?.devices.map((c) => deviceIdFromPublicKey(c.devicePublicKey)),
    );
    const revoked = list.revoked.filter((id) => !revokedBefore.has(id));
    const added = list.devices
      .map((c) => deviceIdFromPublicKey(c.devicePublicKey))
      .filter((id) => !listedBefore.has(id) && !revokedBefore.has(id));
    this.#lists.set(userId, list);
    this.#revoked.set(userId, new Set([...revokedBefore, ...list.revoked]));
    return { kept: true, change: { userId, list, added, revoked, hadList: held !== undefined } };
  }

  /** The newest list kept for a user. */
  get(userId: UserId): DeviceList | undefined {
    return this.#lists.get(userId);
  }

  /** Whether any valid list of the user ever revoked the device. Fast: the AS asks per leaf. */
  isRevoked(deviceId: DeviceId, userId: UserId): boolean {
    return this.#revoked.get(userId)?.has(deviceId) ?? false;
  }

  /** Devices of the user's newest list that no list of theirs revoked. */
  activeDevices(userId: UserId): DeviceId[] {
    const list = this.#lists.get(userId);
    if (list === undefined) return [];
    return list.devices
      .map((c) => deviceIdFromPublicKey(c.devicePublicKey))
      .filter((id) => !this.isRevoked(id, userId));
  }

  /** Every user the book has a list for. */
  users(): UserId[] {
    return [...this.#lists.keys()];
  }

  /** One user's record for storage: `[1, list, [revoked...]]`. */
  encodeRecord(userId: UserId): Uint8Array | undefined {
    const list = this.#lists.get(userId);
    if (list === undefined) return undefined;
    const revoked = [...(this.#revoked.get(userId) ?? [])].sort();
    return encodeCbor([1, encodeDeviceList(list), revoked]);
  }

  /** Loads a record `encodeRecord` wrote; an IdentityError if it is not one. */
  loadRecord(bytes: Uint8Array): void {
    const what = 'device list record';
    const [listBytes, revoked] = readVersioned(decodeIdentityCbor(bytes, what), what, 1, 2);
    const list = decodeDeviceList(shape.bytes(listBytes, `${what}.list`));
    if (!verifyDeviceList(list).ok) {
      throw new IdentityError('IDENTITY_BAD_SIGNATURE', `${what}: the list does not verify`);
    }
    const ids = shape.array(revoked, `${what}.revoked`).map((v, i) => {
      const id = shape.text(v, `${what}.revoked[${i}]`, 64);
      if (!isDeviceId(id)) return shape.fail(`${what}.revoked[${i}]`, 'not a device ID');
      return id;
    });
    const userId = userIdFromPublicKey(list.userPublicKey);
    this.#lists.set(userId, list);
    this.#revoked.set(userId, new Set([...ids, ...list.revoked]));
  }
}
