import {
  KithDevice,
  linkNewDevice,
  type KithDeviceOptions,
  type LinkedNewDevice,
  type LinkNewDeviceOptions,
} from '@kith/runtime';
import { installNodeCrypto } from './crypto/node-ed25519.ts';
import {
  createDeviceLibp2p,
  DEFAULT_LISTEN,
  type NodeNetworkOptions,
} from './net/create-libp2p.ts';
import { openDeviceDatabase } from './storage/data-directory.ts';

export interface KithNodeOptions extends KithDeviceOptions, NodeNetworkOptions {
  /** Where the device keeps its keys and conversations (created if missing). */
  readonly dataDir: string;
}

/**
 * A Kith device on Node.js: `KithDevice` (@kith/runtime) over LevelDB in its data directory,
 * with TCP, WebSockets and mDNS, signing with Node's crypto.
 */
export type KithNode = KithDevice;

/** Opens Kith devices on Node.js (the type and its opener share the name). */
export const KithNode = {
  /** Opens the device in `options.dataDir`, creating its identity on first start. */
  async open(options: KithNodeOptions): Promise<KithNode> {
    installNodeCrypto();
    const db = await openDeviceDatabase(options.dataDir);
    return KithDevice.open(
      { ...options, listen: options.listen ?? DEFAULT_LISTEN },
      { db, createLibp2p: createDeviceLibp2p },
    );
  },

  /**
   * Makes `options.dataDir` (new) a further device of the user whose other device shows
   * `options.link`: both show a code, the other device's user confirms, and this device opens
   * certified for that user and is added to its rooms.
   */
  async link(options: KithNodeOptions & LinkNewDeviceOptions): Promise<LinkedNewDevice> {
    installNodeCrypto();
    const db = await openDeviceDatabase(options.dataDir);
    return linkNewDevice(
      { ...options, listen: options.listen ?? DEFAULT_LISTEN },
      { db, createLibp2p: createDeviceLibp2p },
    );
  },
};
