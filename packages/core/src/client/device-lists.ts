import { decodeDeviceCertificate } from '../identity/device-certificate.ts';
import {
  addDevice,
  createDeviceList,
  revokeDevice,
  type DeviceList,
} from '../identity/device-list.ts';
import { DeviceListBook, type DeviceListChange } from '../identity/device-list-book.ts';
import { decodeDeviceList, encodeDeviceList } from '../identity/device-list-codec.ts';
import { IdentityError } from '../identity/errors.ts';
import type { DeviceIdentity, UserIdentity } from '../identity/identities.ts';
import { deviceIdFromPublicKey } from '../identity/user-id.ts';
import type { DeviceId, UserId } from '../ids.ts';
import { joinKey, keyPrefix } from '../storage/keys.ts';
import type { KvStore } from '../storage/store.ts';
import { TimelineLimits } from '../timeline/limits.ts';
import { ClientError } from './errors.ts';
import type { KithEvent } from './events.ts';
import type { RoomSession } from './room-session.ts';

/** The room meta key under which each device publishes its user's signed device list. */
export const DEVICES_META_KEY = 'devices';

const PREFIX = ['devices', 'list'] as const;

/**
 * The device lists this device knows (its own user's and those of everyone it shares a room
 * with), kept in a DeviceListBook and stored under `devices/list/<user>`. Lists travel as the
 * room meta value `devices` (docs/PROTOCOL.md §2.5): every device of a user publishes its
 * user's newest list in every room it is in, and every member keeps the newest valid list of
 * each user and every device any of them revoked, which the MLS authentication service then
 * refuses (a revoked device cannot be added or rejoin).
 */
export class DeviceLists {
  readonly #kv: KvStore;
  readonly #book = new DeviceListBook();
  readonly #emit: (event: KithEvent) => void;

  private constructor(kv: KvStore, emit: (event: KithEvent) => void) {
    this.#kv = kv;
    this.#emit = emit;
  }

  /** Loads the stored lists; a damaged record is skipped (it comes again from the rooms). */
  static async load(kv: KvStore, emit: (event: KithEvent) => void): Promise<DeviceLists> {
    const lists = new DeviceLists(kv, emit);
    for await (const [, value] of kv.entries({ prefix: keyPrefix(...PREFIX) })) {
      try {
        lists.#book.loadRecord(value);
      } catch (error) {
        if (!(error instanceof IdentityError)) throw error;
      }
    }
    return lists;
  }

  /** Whether any valid list of the user revoked the device (for the MLS AS, per leaf). */
  isRevoked(deviceId: DeviceId, userId: UserId): boolean {
    return this.#book.isRevoked(deviceId, userId);
  }

  /** The newest list of a user this device has seen. */
  get(userId: UserId): DeviceList | undefined {
    return this.#book.get(userId);
  }

  /**
   * Makes sure this user's list exists and lists this device (a first device, or one restored
   * from a backup): only a device holding the user key can sign it.
   */
  async ensureOwn(user: UserIdentity | undefined, device: DeviceIdentity): Promise<void> {
    if (user === undefined) return;
    const own = this.#book.get(user.userId);
    const listed = own?.devices.some(
      (c) => deviceIdFromPublicKey(c.devicePublicKey) === device.deviceId,
    );
    if (listed === true) return;
    const next =
      own === undefined
        ? createDeviceList(user.keyPair, [device.certificate])
        : addDevice(own, user.keyPair, device.certificate);
    await this.offer(next);
  }

  /** Adds a device this user's key certified (`certificate`, encoded) to the user's list. */
  async addOwn(user: UserIdentity, certificate: Uint8Array): Promise<DeviceList> {
    const own = this.#ownOrThrow(user);
    const next = addDevice(own, user.keyPair, decodeDeviceCertificate(certificate));
    await this.offer(next);
    return next;
  }

  /** Revokes one of this user's devices in the user's list (for good). */
  async revokeOwn(user: UserIdentity, deviceId: DeviceId): Promise<DeviceList> {
    const next = revokeDevice(this.#ownOrThrow(user), user.keyPair, deviceId);
    await this.offer(next);
    return next;
  }

  /**
   * Offers a list from anywhere (a room, a device link): kept and stored if it is valid, of
   * `from` when given, and newer; then a `devices` event tells what changed.
   */
  async offer(list: DeviceList, from?: UserId): Promise<DeviceListChange | undefined> {
    const outcome = this.#book.offer(list, from);
    if (!outcome.kept) return undefined;
    const { change } = outcome;
    const record = this.#book.encodeRecord(change.userId);
    if (record !== undefined) await this.#kv.put(joinKey(...PREFIX, change.userId), record);
    this.#emit({
      type: 'devices',
      userId: change.userId,
      version: change.list.version,
      added: change.added,
      revoked: change.revoked,
      first: !change.hadList,
    });
    return change;
  }

  /** Offers an encoded list (one a device link handed over); what does not decode is ignored. */
  async offerEncoded(bytes: Uint8Array, from: UserId): Promise<void> {
    try {
      await this.offer(decodeDeviceList(bytes), from);
    } catch (error) {
      if (!(error instanceof IdentityError)) throw error;
    }
  }

  /** Reads a list a member published in a room (meta key `devices`); refuses what is not. */
  async fromRoom(session: RoomSession, device: DeviceId): Promise<void> {
    const value = session.doc.metaValues(DEVICES_META_KEY).get(device);
    const author = session.members().find((m) => m.deviceId === device)?.userId;
    if (value === undefined || author === undefined) return;
    let list: DeviceList;
    try {
      list = decodeDeviceList(value);
    } catch (error) {
      if (error instanceof IdentityError) return;
      throw error;
    }
    await this.offer(list, author);
  }

  /**
   * Publishes this user's newest list in a room, if it fits a meta value, has changed, and says
   * more than the device's own credential (a second device, or a revocation).
   */
  async publish(session: RoomSession, userId: UserId): Promise<void> {
    const own = this.#book.get(userId);
    if (own === undefined || !session.active) return;
    // A lone device with nothing revoked has nothing to tell: its credential says it all.
    if (own.devices.length < 2 && own.revoked.length === 0) return;
    const bytes = encodeDeviceList(own);
    if (bytes.length > TimelineLimits.maxMetaValueBytes) return;
    await session.writeMeta(DEVICES_META_KEY, bytes);
  }

  #ownOrThrow(user: UserIdentity): DeviceList {
    const own = this.#book.get(user.userId);
    if (own === undefined) {
      throw new ClientError('NOT_ALLOWED', 'this device has no device list of its user yet');
    }
    return own;
  }
}
