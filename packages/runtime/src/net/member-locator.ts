import type { PeerId } from '@libp2p/interface';
import { deviceIdFromPublicKey, type DeviceId, type KithClient } from '@kith/core';
import type { DeviceLibp2p } from './device-libp2p.ts';
import type { Libp2pTransport } from './libp2p-transport.ts';
import {
  decodeLocateRequest,
  decodeLocateResponse,
  encodeLocateRequest,
  encodeLocateResponse,
  type Located,
} from './locate.ts';
import { deviceIdOfPeer, peerIdOfDeviceKey } from './peer-identity.ts';
import { Protocols } from './protocols.ts';
import { sendRequest, type ExchangeLimits } from './request-response.ts';

/** How long to wait before dialling the same unreachable device again. */
const RETRY_MS = 10_000;

/**
 * Keeps this device connected to the other devices of its rooms, so sync runs between members
 * directly and gossip has a mesh. A member's peer ID comes from its key in the group; its
 * addresses from the peer store (identify, contact links, discovery) or, failing that, from
 * members already connected, asked with the locate protocol.
 */
export class MemberLocator {
  static readonly limits: ExchangeLimits = {
    maxRequestBytes: 16 * 1024,
    maxResponseBytes: 256 * 1024,
    timeoutMs: 10_000,
  };

  readonly #client: KithClient;
  readonly #libp2p: DeviceLibp2p;
  readonly #transport: Libp2pTransport;
  readonly #lastTry = new Map<DeviceId, number>();
  readonly #peers = new Map<DeviceId, PeerId>();
  #running: Promise<void> | undefined;

  constructor(client: KithClient, libp2p: DeviceLibp2p, transport: Libp2pTransport) {
    this.#client = client;
    this.#libp2p = libp2p;
    this.#transport = transport;
  }

  peerOf(device: DeviceId): PeerId | undefined {
    return this.#peers.get(device);
  }

  /** One pass: dial members with known addresses, ask connected members about the rest. */
  run(): Promise<void> {
    this.#running ??= this.#pass().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /** Answers a locate request from `from`: only devices sharing a room with both of us. */
  async answer(request: Uint8Array, from: PeerId): Promise<Uint8Array | undefined> {
    const asker = deviceIdOfPeer(from);
    const keys = decodeLocateRequest(request);
    if (asker === undefined || keys === undefined) return undefined;
    const shared = new Set<DeviceId>();
    for (const room of this.#client.rooms()) {
      if (!room.active || !room.devices.some((d) => d.deviceId === asker)) continue;
      for (const d of room.devices) shared.add(d.deviceId);
    }
    const found: Located[] = [];
    for (const publicKey of keys) {
      if (!shared.has(deviceIdFromPublicKey(publicKey))) continue;
      const peer = peerIdOfDeviceKey(publicKey);
      const addresses = await this.#addressesOf(peer);
      if (addresses.length > 0) found.push({ publicKey, addresses });
    }
    return encodeLocateResponse(found);
  }

  async #pass(): Promise<void> {
    const now = Date.now();
    const missing = new Map<DeviceId, Uint8Array>();
    for (const room of this.#client.rooms()) {
      if (!room.active) continue;
      for (const d of room.devices) {
        if (d.deviceId === this.#client.deviceId || this.#transport.isReachable(d.deviceId)) {
          continue;
        }
        const peer = peerIdOfDeviceKey(d.publicKey);
        this.#peers.set(d.deviceId, peer);
        this.#transport.learn(d.deviceId, peer);
        if (now - (this.#lastTry.get(d.deviceId) ?? 0) < RETRY_MS) continue;
        this.#lastTry.set(d.deviceId, now);
        if ((await this.#addressesOf(peer)).length > 0) this.#dial(peer);
        else missing.set(d.deviceId, d.publicKey);
      }
    }
    if (missing.size > 0) await this.#ask([...missing.values()]);
  }

  /** Asks each connected member where the missing devices are; dials what comes back. */
  async #ask(keys: Uint8Array[]): Promise<void> {
    const request = encodeLocateRequest(keys);
    for (const device of this.#transport.reachableDevices()) {
      const peer = this.#transport.peerOf(device);
      if (peer === undefined) continue;
      const response = await sendRequest(
        this.#libp2p,
        peer,
        Protocols.locate,
        request,
        MemberLocator.limits,
      ).catch(() => undefined);
      if (response === undefined) continue;
      for (const { publicKey, addresses } of decodeLocateResponse(response)) {
        const target = peerIdOfDeviceKey(publicKey);
        await this.#libp2p.peerStore
          .merge(target, { multiaddrs: [...addresses] })
          .catch(() => undefined);
        this.#dial(target);
      }
    }
  }

  #dial(peer: PeerId): void {
    if (this.#libp2p.getConnections(peer).length > 0) return;
    this.#libp2p.dial(peer, { signal: AbortSignal.timeout(10_000) }).catch(() => undefined);
  }

  async #addressesOf(peer: PeerId) {
    try {
      const stored = await this.#libp2p.peerStore.get(peer);
      return stored.addresses.map((a) => a.multiaddr);
    } catch {
      return [];
    }
  }
}
