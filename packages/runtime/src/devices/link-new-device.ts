import {
  decodeDeviceLink,
  generateSigningKeyPair,
  hasDeviceIdentity,
  KvStore,
  webRandom,
} from '@kith/core';
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys';
import { DeviceError } from '../errors.ts';
import { KithDevice, type DevicePlatform, type KithDeviceOptions } from '../kith-device.ts';
import { PeerGuard } from '../net/peer-guard.ts';
import { requestDeviceLink } from './link-request.ts';

/** What linking a new device needs besides the device's own options. */
export interface LinkNewDeviceOptions {
  /** The link another device of the user shows (`kith-link:...`, text or scanned). */
  readonly link: string;
  /** This device's name, shown to the user's other devices and contacts. */
  readonly deviceName: string;
  /** Called with the code to compare with the one the other device shows. */
  readonly onCode?: (code: string) => void;
}

/** A device opened from a link, and how many rooms the other device is adding it to. */
export interface LinkedNewDevice {
  readonly device: KithDevice;
  readonly rooms: number;
}

/**
 * Makes a new data store a further device of the user whose other device showed `link`: a new
 * device key, the link protocol over a libp2p node keyed by it (only for the link), then the
 * device opens with the certificate, user key and device list it was granted, and connects to
 * the other device, which adds it to its rooms (their history follows by sync).
 */
export async function linkNewDevice<O extends KithDeviceOptions>(
  options: O & LinkNewDeviceOptions,
  platform: DevicePlatform<O>,
): Promise<LinkedNewDevice> {
  let offer;
  try {
    offer = decodeDeviceLink(options.link);
    const kv = await KvStore.open(platform.db);
    if (await hasDeviceIdentity(kv)) {
      throw new DeviceError('LINK_FAILED', 'this data directory holds a device already');
    }
  } catch (error) {
    await platform.db.close().catch(() => undefined);
    throw error;
  }
  const key = generateSigningKeyPair(webRandom);
  let grant;
  const libp2p = await platform.createLibp2p(
    await generateKeyPairFromSeed('Ed25519', key.secretKey),
    new PeerGuard(),
    { ...options, listen: [], relays: [] },
  );
  try {
    grant = await requestDeviceLink(libp2p, offer, key, options.deviceName, options.onCode);
  } catch (error) {
    await platform.db.close().catch(() => undefined);
    throw error;
  } finally {
    await libp2p.stop();
  }
  const device = await KithDevice.open(
    {
      ...options,
      deviceName: options.deviceName,
      linkedDevice: {
        secretKey: key.secretKey,
        certificate: grant.certificate,
        userSecretKey: grant.userSecretKey,
        deviceList: grant.deviceList,
      },
    },
    platform,
  );
  // The other device asks this one for key packages to add it to its rooms: be reachable.
  for (const address of offer.addresses) device.connect(address).catch(() => undefined);
  return { device, rooms: grant.rooms };
}
