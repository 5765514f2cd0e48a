import {
  createDeviceIdentity,
  createUserIdentity,
  decodeDeviceIdentity,
  decodeUserIdentity,
  encodeDeviceIdentity,
  encodeUserIdentity,
  linkedDeviceIdentity,
  userIdentityFromSecret,
  type DeviceIdentity,
  type UserIdentity,
} from '../identity/identities.ts';
import { IdentityError } from '../identity/errors.ts';
import type { ClockPort } from '../ports/clock.ts';
import type { RandomPort } from '../ports/random.ts';
import type { KvStore } from '../storage/store.ts';

/** A device key and the certificate a device holding the user key issued for it. */
export interface LinkedDevice {
  readonly secretKey: Uint8Array;
  readonly certificate: Uint8Array;
  /**
   * The user key's 32-byte secret, when the certifying device hands it over (a device link
   * does, so any device of the user can link and revoke devices). Must be the certificate's.
   */
  readonly userSecretKey?: Uint8Array;
  /** The user's signed device list (encoded) as the certifying device made it, listing this one. */
  readonly deviceList?: Uint8Array;
}

const DEVICE_KEY = 'identity/device';
const USER_KEY = 'identity/user';

/**
 * This device's identity, created on first open: a new user key (or the restored one) and a
 * device key it certifies.
 * Both are written in one batch, so a crash never leaves a device without its user.
 */
export async function loadIdentity(
  kv: KvStore,
  random: RandomPort,
  clock: ClockPort,
  deviceName: string,
  linked?: LinkedDevice,
  restoredUserKey?: Uint8Array,
): Promise<{ user: UserIdentity | undefined; device: DeviceIdentity }> {
  const [deviceBytes, userBytes] = await kv.getMany([DEVICE_KEY, USER_KEY]);
  if (deviceBytes !== undefined) {
    return {
      device: decodeDeviceIdentity(deviceBytes),
      user: userBytes === undefined ? undefined : decodeUserIdentity(userBytes),
    };
  }
  if (linked !== undefined) {
    // A further device of an existing user, holding the user key only if it was handed over.
    const device = linkedDeviceIdentity(linked.secretKey, linked.certificate);
    if (linked.userSecretKey === undefined) {
      await kv.put(DEVICE_KEY, encodeDeviceIdentity(device));
      return { user: undefined, device };
    }
    const user = userIdentityFromSecret(linked.userSecretKey);
    if (user.userId !== device.userId) {
      throw new IdentityError('IDENTITY_WRONG_USER', "the user key is not the certificate's");
    }
    await kv.batch([
      { type: 'put', key: USER_KEY, value: encodeUserIdentity(user) },
      { type: 'put', key: DEVICE_KEY, value: encodeDeviceIdentity(device) },
    ]);
    return { user, device };
  }
  // A restore from a backup: the same user, on a new device this user key certifies.
  const user =
    restoredUserKey === undefined
      ? createUserIdentity(random)
      : userIdentityFromSecret(restoredUserKey);
  const device = createDeviceIdentity(user, random, deviceName, clock.now());
  await kv.batch([
    { type: 'put', key: USER_KEY, value: encodeUserIdentity(user) },
    { type: 'put', key: DEVICE_KEY, value: encodeDeviceIdentity(device) },
  ]);
  return { user, device };
}

/**
 * Forgets the user key on this device (a revoked device does, so what is left on it can no
 * longer certify or revoke devices).
 */
export async function forgetUserKey(kv: KvStore): Promise<void> {
  await kv.del(USER_KEY);
}

/** Whether a device identity is stored already (a link or restore applies to a new one only). */
export async function hasDeviceIdentity(kv: KvStore): Promise<boolean> {
  return (await kv.get(DEVICE_KEY)) !== undefined;
}
