import type { Connection, PeerId, Stream } from '@libp2p/interface';
import { lpStream } from '@libp2p/utils';
import {
  checkDeviceLinkProof,
  createDeviceLinkOffer,
  deviceIdFromPublicKey,
  deviceLinkCode,
  deviceLinkId,
  deviceLinkProof,
  encodeDeviceLink,
  toHex,
  webRandom,
  type DeviceId,
  type KithClient,
  type RoomId,
} from '@kith/core';
import type { DeviceLibp2p } from '../net/device-libp2p.ts';
import { fetchKeyPackage } from '../net/key-package-exchange.ts';
import { Protocols } from '../net/protocols.ts';
import {
  encodeLinkFrame,
  decodeLinkFrame,
  MAX_LINK_FRAME_BYTES,
  type LinkRefusal,
} from './link-wire.ts';

/** A link this device shows: its text (also drawn as a QR code) and when it expires. */
export interface ShownLink {
  readonly text: string;
  readonly expiresAt: number;
}

/** A new device that opened a link and proved its secret, waiting for the user to confirm. */
export interface LinkRequest {
  readonly deviceId: DeviceId;
  readonly deviceName: string;
  /** The code the new device shows too: the user confirms only if both match. */
  readonly code: string;
}

/** How far adding a newly linked device to this user's rooms is. */
export interface LinkProgress {
  readonly deviceId: DeviceId;
  readonly roomsAdded: number;
  readonly roomsTotal: number;
  /** Rooms it could not be added to (it did not answer in time, or the room refused). */
  readonly failed: readonly RoomId[];
  readonly done: boolean;
}

/** What the linker tells the app. */
export type LinkerEvent =
  | { readonly type: 'request'; readonly request: LinkRequest }
  | { readonly type: 'refused'; readonly reason: LinkRefusal; readonly deviceId?: DeviceId }
  | { readonly type: 'progress'; readonly progress: LinkProgress };

/** Timing of the linker (tests shorten nothing: these are upper bounds). */
const LINK_LIMITS = {
  helloTimeoutMs: 10_000,
  confirmTimeoutMs: 120_000,
  /** How long the old device keeps asking the new one for key packages once linked. */
  joinWindowMs: 120_000,
  retryMs: 1000,
} as const;

interface OpenLink {
  readonly secret: Uint8Array;
  readonly expiresAt: number;
  used: boolean;
}

interface Pending extends LinkRequest {
  readonly decide: (accept: boolean) => void;
}

/**
 * The device-link protocol on a device that shows links (docs/PROTOCOL.md §10.9): it makes
 * one-time links, checks the new device's proof of the link's secret (refusing unknown, used,
 * expired links and wrong proofs, each link burnt at its first attempt), waits for its user to
 * confirm the code, then certifies the new device, hands it the user key and the device list,
 * and adds it to every room this device is in, reporting progress.
 */
export class DeviceLinker {
  readonly #client: KithClient;
  readonly #libp2p: DeviceLibp2p;
  readonly #addresses: () => string[];
  readonly #now: () => number;
  readonly #links = new Map<string, OpenLink>();
  readonly #pending = new Map<DeviceId, Pending>();
  readonly #listeners = new Set<(event: LinkerEvent) => void>();
  #closed = false;

  constructor(client: KithClient, libp2p: DeviceLibp2p, addresses: () => string[], now = Date.now) {
    this.#client = client;
    this.#libp2p = libp2p;
    this.#addresses = addresses;
    this.#now = now;
  }

  /** Serves the link protocol. */
  async start(): Promise<void> {
    await this.#libp2p.handle(
      Protocols.deviceLink,
      (stream: Stream, connection: Connection) => {
        void this.#serve(stream, connection.remotePeer);
      },
      { runOnLimitedConnection: true, maxInboundStreams: 2 },
    );
  }

  /** A new one-time link, valid for `ttlMs` (10 minutes by default). Needs the user key. */
  create(ttlMs?: number): ShownLink {
    if (this.#client.userIdentity === undefined) {
      throw new Error('this device does not hold the user key: link from one that does');
    }
    const offer = createDeviceLinkOffer(
      webRandom,
      this.#client.device.keyPair.publicKey,
      this.#addresses(),
      this.#now(),
      ttlMs,
    );
    this.#links.set(toHex(deviceLinkId(offer.secret)), {
      secret: offer.secret,
      expiresAt: offer.expiresAt,
      used: false,
    });
    return { text: encodeDeviceLink(offer), expiresAt: offer.expiresAt };
  }

  /** New devices waiting for the user to compare codes. */
  requests(): LinkRequest[] {
    return [...this.#pending.values()].map(({ deviceId, deviceName, code }) => ({
      deviceId,
      deviceName,
      code,
    }));
  }

  /** Accepts (the codes match) or declines a waiting device; false if none was waiting. */
  decide(deviceId: DeviceId, accept: boolean): boolean {
    const pending = this.#pending.get(deviceId);
    if (pending === undefined) return false;
    this.#pending.delete(deviceId);
    pending.decide(accept);
    return true;
  }

  /** Calls `listener` with every linker event; returns a function that stops it. */
  on(listener: (event: LinkerEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Stops serving links: link requests waiting for a decision are declined. */
  close(): void {
    this.#closed = true;
    for (const id of [...this.#pending.keys()]) this.decide(id, false);
  }

  async #serve(stream: Stream, from: PeerId): Promise<void> {
    const lp = lpStream(stream, { maxDataLength: MAX_LINK_FRAME_BYTES });
    try {
      const hello = decodeLinkFrame(
        (await lp.read({ signal: AbortSignal.timeout(LINK_LIMITS.helloTimeoutMs) })).subarray(),
      );
      if (hello?.type !== 'hello' || from.type !== 'Ed25519') throw new Error('not a link hello');
      const newKey = from.publicKey.raw;
      const deviceId = deviceIdFromPublicKey(newKey);
      const refuse = async (reason: LinkRefusal): Promise<void> => {
        await lp.write(encodeLinkFrame({ type: 'refuse', reason }));
        await stream.close();
        this.#emit({ type: 'refused', reason, deviceId });
      };
      const link = this.#check(hello.linkId, hello.proof, newKey, hello.deviceName);
      if (typeof link === 'string') {
        await refuse(link);
        return;
      }
      const ownKey = this.#client.device.keyPair.publicKey;
      const proof = deviceLinkProof(link.secret, 'old', ownKey, newKey, hello.deviceName);
      await lp.write(encodeLinkFrame({ type: 'accept', proof }));
      const code = deviceLinkCode(link.secret, ownKey, newKey);
      const wait = Math.min(
        LINK_LIMITS.confirmTimeoutMs,
        Math.max(0, link.expiresAt - this.#now()),
      );
      const decision = await this.#ask({ deviceId, deviceName: hello.deviceName, code }, wait);
      if (decision !== 'accepted') {
        await refuse(decision);
        return;
      }
      const certified = await this.#client.linkDevice(newKey, hello.deviceName);
      const user = this.#client.userIdentity;
      if (user === undefined) throw new Error('the user key is gone');
      const rooms = this.#roomsWithout(deviceId);
      await lp.write(
        encodeLinkFrame({
          type: 'grant',
          certificate: certified.certificate,
          userSecretKey: user.keyPair.secretKey,
          deviceList: certified.deviceList,
          rooms: rooms.length,
        }),
      );
      await stream.close();
      await this.#addToRooms(deviceId, from, rooms);
    } catch (error) {
      stream.abort(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /**
   * The open link a hello names, or why it is refused: unknown, used, expired, or a proof that
   * does not match its secret. A link is burnt at its first attempt, whatever the outcome, so a
   * secret cannot be tried twice.
   */
  #check(
    linkId: Uint8Array,
    proof: Uint8Array,
    newKey: Uint8Array,
    deviceName: string,
  ): OpenLink | LinkRefusal {
    const link = this.#links.get(toHex(linkId));
    if (link === undefined) return 'unknown-link';
    if (link.used) return 'used';
    link.used = true;
    if (this.#now() > link.expiresAt) return 'expired';
    const ownKey = this.#client.device.keyPair.publicKey;
    const expected = deviceLinkProof(link.secret, 'new', ownKey, newKey, deviceName);
    return checkDeviceLinkProof(expected, proof) ? link : 'bad-proof';
  }

  /** Waits for the user's decision, or the time left. */
  #ask(request: LinkRequest, waitMs: number): Promise<'accepted' | 'declined' | 'timeout'> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(request.deviceId);
        resolve('timeout');
      }, waitMs);
      this.#pending.set(request.deviceId, {
        ...request,
        decide: (accept) => {
          clearTimeout(timer);
          resolve(accept ? 'accepted' : 'declined');
        },
      });
      this.#emit({ type: 'request', request });
    });
  }

  #roomsWithout(deviceId: DeviceId): RoomId[] {
    return this.#client
      .rooms()
      .filter((r) => r.active && !r.devices.some((d) => d.deviceId === deviceId))
      .map((r) => r.roomId);
  }

  /**
   * Adds the new device to each room: a fresh key package of it per room (it serves its own
   * user's devices without a budget), then an invitation (a user may add its own devices).
   * The device opens after the grant, so the first requests may find it not there yet.
   */
  async #addToRooms(deviceId: DeviceId, peer: PeerId, rooms: readonly RoomId[]): Promise<void> {
    const deadline = this.#now() + LINK_LIMITS.joinWindowMs;
    let added = 0;
    const failed: RoomId[] = [];
    const report = (done: boolean): void => {
      this.#emit({
        type: 'progress',
        progress: { deviceId, roomsAdded: added, roomsTotal: rooms.length, failed, done },
      });
    };
    if (rooms.length > 0) report(false);
    for (const roomId of rooms) {
      let kp: Uint8Array | undefined;
      while (kp === undefined && !this.#closed && this.#now() < deadline) {
        kp = await fetchKeyPackage(this.#libp2p, peer, deviceId, this.#client.userId).catch(
          async () => {
            await new Promise((resolve) => setTimeout(resolve, LINK_LIMITS.retryMs));
            return undefined;
          },
        );
      }
      try {
        if (kp === undefined) throw new Error('the new device did not answer');
        await this.#client.invite(roomId, [kp]);
        added++;
      } catch {
        failed.push(roomId);
      }
      report(false);
    }
    report(true);
  }

  #emit(event: LinkerEvent): void {
    for (const listener of this.#listeners) listener(event);
  }
}
