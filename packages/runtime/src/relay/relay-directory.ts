import type { PeerId } from '@libp2p/interface';
import {
  decodeInboxResponse,
  decodeKeyPackageResponse,
  deviceIdFromPublicKey,
  encodeInboxRequest,
  encodeKeyPackageRequest,
  InboxLimits,
  KeyPackageLimits,
  keyPackageOwner,
  signInboxItem,
  verifyInboxItem,
  bytesEqual,
  type InboxRequest,
  type InboxResponse,
  type KeyPackageRequest,
  type KeyPackageResponse,
  type KithClient,
  type UserId,
} from '@kith/core';
import type { DeviceLibp2p } from '../net/device-libp2p.ts';
import type { Libp2pTransport } from '../net/libp2p-transport.ts';
import { Protocols } from '../net/protocols.ts';
import { exchange, type ExchangeCodec, type ExchangeLimits } from '../net/request-response.ts';

const EXCHANGE: ExchangeLimits = {
  maxRequestBytes: KeyPackageLimits.maxUpload * KeyPackageLimits.maxPackageBytes + 4096,
  maxResponseBytes: 2 * 1024 * 1024,
  timeoutMs: 15_000,
};

const KEY_PACKAGE_DIRECTORY: ExchangeCodec<KeyPackageRequest, KeyPackageResponse> = {
  protocol: Protocols.keyPackageDirectory,
  limits: EXCHANGE,
  encode: encodeKeyPackageRequest,
  decode: decodeKeyPackageResponse,
};

const INBOX: ExchangeCodec<InboxRequest, InboxResponse> = {
  protocol: Protocols.inbox,
  limits: EXCHANGE,
  encode: encodeInboxRequest,
  decode: decodeInboxResponse,
};

/** Below this many packages on a relay, this device uploads a new batch. */
const LOW_WATER = 5;
const BATCH = 10;

/**
 * This device's key packages and inbox on its relays (docs/PROTOCOL.md §12.3, §12.4): keeps a
 * stock of key packages there so it can be invited while offline, takes others' packages when
 * they are offline, leaves Welcomes in offline devices' inboxes, and collects its own.
 */
export class RelayDirectory {
  readonly #client: KithClient;
  readonly #libp2p: DeviceLibp2p;
  readonly #transport: Libp2pTransport;
  readonly #relays: readonly PeerId[];

  constructor(
    parts: { client: KithClient; libp2p: DeviceLibp2p; transport: Libp2pTransport },
    relays: readonly PeerId[],
  ) {
    this.#client = parts.client;
    this.#libp2p = parts.libp2p;
    this.#transport = parts.transport;
    this.#relays = relays;
  }

  /** Tops up this device's key packages on every relay. */
  async replenish(): Promise<void> {
    for (const relay of this.#relays) {
      const count = await this.#keyPackages(relay, { type: 'count' });
      if (count.type !== 'count' || count.count >= LOW_WATER) continue;
      const keyPackages: Uint8Array[] = [];
      for (let i = 0; i < BATCH; i++) keyPackages.push(await this.#client.createKeyPackage());
      await this.#keyPackages(relay, { type: 'upload', keyPackages });
    }
  }

  /** One key package per device of `user`, from whichever relays hold them, checked. */
  async take(user: UserId): Promise<Uint8Array[]> {
    const byDevice = new Map<string, Uint8Array>();
    for (const relay of this.#relays) {
      const response = await this.#keyPackages(relay, { type: 'take', userId: user }).catch(
        () => undefined,
      );
      if (response?.type !== 'packages') continue;
      for (const kp of response.keyPackages) {
        const owner = keyPackageOwner(kp);
        if (owner?.userId !== user || byDevice.has(owner.deviceId)) continue;
        byDevice.set(owner.deviceId, kp);
      }
    }
    return [...byDevice.values()];
  }

  /**
   * Leaves a direct frame for an unreachable device in its inbox on `relay`: the relay's answer,
   * or a throw when it cannot be reached (WelcomeDeposits keeps the frame and tries again).
   */
  async deposit(relay: PeerId, to: Uint8Array, frame: Uint8Array): Promise<InboxResponse> {
    if (frame.length > InboxLimits.maxFrameBytes) {
      return {
        type: 'refused',
        message: `the invitation is larger than ${InboxLimits.maxFrameBytes} bytes`,
      };
    }
    const device = this.#client.device;
    const item = signInboxItem(device.keyPair.secretKey, device.keyPair.publicKey, to, frame);
    return this.#inbox(relay, { type: 'deposit', item });
  }

  /** Collects this device's inbox on every relay, hands each signed frame to the engine. */
  async collect(): Promise<void> {
    const self = this.#client.device.keyPair.publicKey;
    for (const relay of this.#relays) {
      const response = await this.#inbox(relay, { type: 'fetch' }).catch(() => undefined);
      if (response?.type !== 'items' || response.items.length === 0) continue;
      for (const { item } of response.items) {
        // Only frames addressed to this device and signed by their sender count.
        if (!bytesEqual(item.to, self) || !verifyInboxItem(item)) continue;
        this.#transport.deliverDirectFrom(deviceIdFromPublicKey(item.from), item.frame);
      }
      // Acknowledge only once the engine has handled (and stored) what it was given.
      await this.#client.idle();
      await this.#inbox(relay, { type: 'ack', ids: response.items.map((x) => x.id) });
    }
  }

  #keyPackages(relay: PeerId, request: KeyPackageRequest): Promise<KeyPackageResponse> {
    return exchange(this.#libp2p, relay, KEY_PACKAGE_DIRECTORY, request);
  }

  #inbox(relay: PeerId, request: InboxRequest): Promise<InboxResponse> {
    return exchange(this.#libp2p, relay, INBOX, request);
  }
}
