import type { PeerId } from '@libp2p/interface';
import {
  forgetUserKey,
  isDeviceId,
  joinKey,
  shortDeviceId,
  type DeviceId,
  type KithClient,
  type KvStore,
  type RevokeReport,
} from '@kith/core';
import { DeviceError } from '../errors.ts';
import type { DeviceLibp2p } from '../net/device-libp2p.ts';
import type { Libp2pTransport } from '../net/libp2p-transport.ts';
import { deviceIdOfPeer } from '../net/peer-identity.ts';
import { DeviceLinker } from './device-linker.ts';

/** One device of this user, as the device list shows it. */
export interface OwnDevice {
  readonly deviceId: DeviceId;
  /** `d:abcd-efgh-ijkl-mnop`, to tell devices of one name apart. */
  readonly shortId: string;
  readonly name: string;
  /** When its certificate was issued (ms since the epoch). */
  readonly addedAt: number;
  /** This device. */
  readonly current: boolean;
  /** Connected to this device now. */
  readonly connected: boolean;
  /** When this device last saw it connected (ms since the epoch), if ever. */
  readonly lastSeen: number | undefined;
}

const REVOKED_KEY = joinKey('node', 'revoked');
const SEEN = ['node', 'device-seen'] as const;

/**
 * A user's devices as one of them sees and manages them: links new ones (`linker`), lists them
 * with when each was last seen, revokes them, and stops this device when another device of the
 * user revoked it (the engine forgets the user key, and the device refuses to open again).
 */
export class UserDevices {
  /** One-time links and the protocol that answers them. */
  readonly linker: DeviceLinker;
  readonly #client: KithClient;
  readonly #transport: Libp2pTransport;
  readonly #kv: KvStore;
  readonly #seen = new Map<DeviceId, number>();
  readonly #offs: (() => void)[] = [];
  #revoked = false;

  constructor(
    parts: { client: KithClient; libp2p: DeviceLibp2p; transport: Libp2pTransport; kv: KvStore },
    addresses: () => string[],
    onRevoked: () => void,
  ) {
    this.#client = parts.client;
    this.#transport = parts.transport;
    this.#kv = parts.kv;
    this.linker = new DeviceLinker(parts.client, parts.libp2p, addresses);
    this.#offs.push(
      parts.client.on('devices', (e) => {
        if (e.userId !== this.#client.userId || !e.revoked.includes(this.#client.deviceId)) return;
        if (this.#revoked) return;
        this.#revoked = true;
        void this.#stop().finally(onRevoked);
      }),
    );
    const noteSeen = (event: CustomEvent<PeerId>): void => {
      const id = deviceIdOfPeer(event.detail);
      if (id !== undefined && this.#isOwn(id)) this.#seen.set(id, Date.now());
    };
    parts.libp2p.addEventListener('peer:connect', noteSeen);
    parts.libp2p.addEventListener('peer:disconnect', noteSeen);
    this.#offs.push(() => {
      parts.libp2p.removeEventListener('peer:connect', noteSeen);
      parts.libp2p.removeEventListener('peer:disconnect', noteSeen);
    });
  }

  /** Refuses to open a device that was revoked (DEVICE_REVOKED). */
  static async refuseIfRevoked(kv: KvStore): Promise<void> {
    if ((await kv.get(REVOKED_KEY)) !== undefined) {
      throw new DeviceError(
        'DEVICE_REVOKED',
        'another device of this user revoked this one: link it again or start a new data directory',
      );
    }
  }

  /** Loads when each device was last seen, and starts serving device links. */
  async start(): Promise<void> {
    for await (const [key, value] of this.#kv.entries({ prefix: joinKey(...SEEN) + '/' })) {
      const id = key.split('/').at(-1);
      if (isDeviceId(id)) this.#seen.set(id, Number(new TextDecoder().decode(value)));
    }
    await this.linker.start();
  }

  /** This user's devices by the newest signed list, this one first. */
  list(): OwnDevice[] {
    const view = this.#client.deviceList();
    const connected = new Set(this.#transport.reachableDevices());
    const self = this.#client.deviceId;
    return (view?.devices ?? [])
      .map((d) => ({
        deviceId: d.deviceId,
        shortId: shortDeviceId(d.deviceId),
        name: d.name,
        addedAt: d.addedAt,
        current: d.deviceId === self,
        connected: connected.has(d.deviceId),
        lastSeen: d.deviceId === self ? Date.now() : this.#seen.get(d.deviceId),
      }))
      .sort((a, b) => Number(b.current) - Number(a.current) || a.addedAt - b.addedAt);
  }

  /**
   * Revokes a device of this user, named by its ID, short ID or (if no other device has it)
   * its name: see `KithClient.revokeDevice`.
   */
  revoke(nameOrId: string): Promise<RevokeReport> {
    const matches = this.list().filter(
      (d) => d.deviceId === nameOrId || d.shortId === nameOrId || d.name === nameOrId,
    );
    const only = matches[0];
    if (only === undefined || matches.length > 1) {
      throw new DeviceError(
        'UNKNOWN_CONTACT',
        matches.length > 1
          ? `${matches.length} devices are called "${nameOrId}": give the short ID`
          : `no device of yours is "${nameOrId}"`,
      );
    }
    return this.#client.revokeDevice(only.deviceId);
  }

  /** Stores when own devices were last seen, and stops linking. */
  async close(): Promise<void> {
    for (const off of this.#offs) off();
    this.linker.close();
    await this.#kv
      .batch(
        [...this.#seen].map(([id, at]) => ({
          type: 'put' as const,
          key: joinKey(...SEEN, id),
          value: new TextEncoder().encode(String(at)),
        })),
      )
      .catch(() => undefined);
  }

  #isOwn(id: DeviceId): boolean {
    return this.#client.deviceList()?.devices.some((d) => d.deviceId === id) ?? false;
  }

  /** Revoked: the user key goes, and the device refuses to open again. */
  async #stop(): Promise<void> {
    await this.#kv.put(REVOKED_KEY, Uint8Array.of(1));
    await forgetUserKey(this.#kv);
  }
}
