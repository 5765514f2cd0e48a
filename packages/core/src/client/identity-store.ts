import {
  createDeviceIdentity,
  createUserIdentity,
  decodeDeviceIdentity,
  decodeUserIdentity,
  encodeDeviceIdentity,
  encodeUserIdentity,
  type DeviceIdentity,
  type UserIdentity,
} from '../identity/identities.ts';
import type { ClockPort } from '../ports/clock.ts';
import type { RandomPort } from '../ports/random.ts';
import type { KvStore } from '../storage/store.ts';

const DEVICE_KEY = 'identity/device';
const USER_KEY = 'identity/user';

/**
 * This device's identity, created on first open: a new user key and a device key it certifies.
 * Both are written in one batch, so a crash never leaves a device without its user.
 */
export async function loadIdentity(
  kv: KvStore,
  random: RandomPort,
  clock: ClockPort,
  deviceName: string,
): Promise<{ user: UserIdentity | undefined; device: DeviceIdentity }> {
  const [deviceBytes, userBytes] = await kv.getMany([DEVICE_KEY, USER_KEY]);
  if (deviceBytes !== undefined) {
    return {
      device: decodeDeviceIdentity(deviceBytes),
      user: userBytes === undefined ? undefined : decodeUserIdentity(userBytes),
    };
  }
  const user = createUserIdentity(random);
  const device = createDeviceIdentity(user, random, deviceName, clock.now());
  await kv.batch([
    { type: 'put', key: USER_KEY, value: encodeUserIdentity(user) },
    { type: 'put', key: DEVICE_KEY, value: encodeDeviceIdentity(device) },
  ]);
  return { user, device };
}
