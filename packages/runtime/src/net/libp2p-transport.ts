import { TopicValidatorResult, type GossipSub } from '@libp2p/gossipsub';
import type { IdentifyResult, Libp2p, PeerId, Stream } from '@libp2p/interface';
import { lpStream, type LengthPrefixedStream } from '@libp2p/utils';
import {
  TransportError,
  type DeviceId,
  type InboundMessage,
  type PeerEvent,
  type PublishOptions,
  type TransportPort,
} from '@kith/core';
import { describeError } from '../errors.ts';
import { openDirectStream } from './direct-stream.ts';
import { deviceIdOfPeer } from './peer-identity.ts';
import type { PeerGuard } from './peer-guard.ts';
import { MAX_DIRECT_FRAME_BYTES, Protocols } from './protocols.ts';

/** The libp2p services the transport uses. */
// A type alias, not an interface: libp2p's ServiceMap needs the implicit index signature.
// eslint-disable-next-line @typescript-eslint/consistent-type-definitions
export type TransportServices = {
  pubsub: GossipSub;
};

/**
 * What a `Libp2pTransport` runs on (a started libp2p node with gossipsub) and the checks and hooks
 * it applies.
 */
export interface Libp2pTransportOptions {
  readonly libp2p: Libp2p<TransportServices>;
  readonly guard: PeerGuard;
  /**
   * A cheap structural check of a topic message before it is forwarded (the engine does the
   * real one). Messages failing it are rejected, which also lowers the relaying peer's
   * gossipsub score. Accepts everything when omitted.
   */
  readonly acceptTopicMessage?: (data: Uint8Array) => boolean;
  /** The same for direct frames: a peer sending one that fails is cut off at once. */
  readonly acceptDirectFrame?: (data: Uint8Array) => boolean;
  /** How long opening a stream to a connected peer may take (default 10 s). */
  readonly streamTimeoutMs?: number;
  /**
   * Told of every topic message this device publishes, ephemeral ones aside (relay mailboxes
   * keep a copy).
   */
  readonly onPublish?: (topic: string, data: Uint8Array, onStored?: () => void) => void;
  /** Told of a direct frame for a device that is not connected (relay inboxes may keep it). */
  readonly onUnreachable?: (device: DeviceId, peer: PeerId | undefined, data: Uint8Array) => void;
}

/** Length-prefix errors of @libp2p/utils: the peer broke framing, not a network failure. */
const FRAMING_ERRORS = new Set([
  'InvalidMessageLengthError',
  'InvalidDataLengthError',
  'InvalidDataLengthLengthError',
]);

/**
 * The engine's transport port over libp2p: gossipsub for topics, and a Kith protocol for
 * direct frames, one long-lived length-prefixed stream per peer and direction.
 *
 * `sendTo` never waits for a dial: a device without a connection is UNREACHABLE at once (the
 * engine's calls run one at a time, and one offline invitee must not stall the rest), and a
 * dial starts in the background when its addresses are known. Its `onPeer` event, once the
 * connection is up and identified, is the engine's cue to send what waited.
 */
export class Libp2pTransport implements TransportPort {
  readonly self: DeviceId;
  readonly #libp2p: Libp2p<TransportServices>;
  readonly #guard: PeerGuard;
  readonly #acceptTopic: (data: Uint8Array) => boolean;
  readonly #acceptDirect: (data: Uint8Array) => boolean;
  readonly #streamTimeoutMs: number;
  readonly #onPublish: (topic: string, data: Uint8Array, onStored?: () => void) => void;
  readonly #onUnreachable: (device: DeviceId, peer: PeerId | undefined, data: Uint8Array) => void;
  readonly #handlers = new Set<(m: InboundMessage) => void>();
  readonly #peerHandlers = new Set<(e: PeerEvent) => void>();
  readonly #topics = new Set<string>();
  /** Devices with an identified connection that speaks the direct protocol. */
  readonly #reachable = new Map<DeviceId, PeerId>();
  /** Every device this transport has learned the peer ID of (connections, `learn`). */
  readonly #known = new Map<DeviceId, PeerId>();
  readonly #outbound = new Map<string, Promise<LengthPrefixedStream<Stream>>>();
  readonly #sending = new Map<string, Promise<void>>();
  readonly #inbound = new Set<Stream>();
  readonly #cleanup: (() => void)[] = [];
  #closed = false;

  private constructor(self: DeviceId, options: Libp2pTransportOptions) {
    this.self = self;
    this.#libp2p = options.libp2p;
    this.#guard = options.guard;
    this.#acceptTopic = options.acceptTopicMessage ?? (() => true);
    this.#acceptDirect = options.acceptDirectFrame ?? (() => true);
    this.#streamTimeoutMs = options.streamTimeoutMs ?? 10_000;
    this.#onPublish = options.onPublish ?? (() => undefined);
    this.#onUnreachable = options.onUnreachable ?? (() => undefined);
  }

  /** Registers the direct protocol and starts listening to gossip and peer events. */
  static async start(options: Libp2pTransportOptions): Promise<Libp2pTransport> {
    const self = deviceIdOfPeer(options.libp2p.peerId);
    if (self === undefined) throw new Error('a Kith device needs an Ed25519 libp2p key');
    const transport = new Libp2pTransport(self, options);
    await transport.#start();
    return transport;
  }

  /** Records a device's peer ID (from a contact link or a member list) so it can be dialled. */
  learn(device: DeviceId, peer: PeerId): void {
    this.#known.set(device, peer);
  }

  /** The libp2p peer of a device that is connected or whose peer is known. */
  peerOf(device: DeviceId): PeerId | undefined {
    return this.#reachable.get(device) ?? this.#known.get(device);
  }

  /** Whether a device speaking Kith is connected now. */
  isReachable(device: DeviceId): boolean {
    return this.#reachable.has(device);
  }

  /** The devices speaking Kith that are connected now. */
  reachableDevices(): DeviceId[] {
    return [...this.#reachable.keys()];
  }

  subscribe(topic: string): void {
    this.#open();
    if (this.#topics.has(topic)) return;
    this.#topics.add(topic);
    const pubsub = this.#libp2p.services.pubsub;
    pubsub.topicValidators.set(topic, (peer, message) => {
      if (this.#acceptTopic(message.data)) return TopicValidatorResult.Accept;
      this.#guard.strike(peer, 'a topic message that is not an MLS message');
      return TopicValidatorResult.Reject;
    });
    pubsub.subscribe(topic);
  }

  unsubscribe(topic: string): void {
    if (!this.#topics.delete(topic)) return;
    const pubsub = this.#libp2p.services.pubsub;
    pubsub.unsubscribe(topic);
    pubsub.topicValidators.delete(topic);
  }

  async publish(topic: string, data: Uint8Array, options?: PublishOptions): Promise<void> {
    this.#open();
    // Ephemeral signals (typing, presence) are for whoever is online: never kept on relays.
    if (options?.ephemeral !== true) this.#onPublish(topic, data, options?.onStored);
    try {
      await this.#libp2p.services.pubsub.publish(topic, data);
    } catch (cause) {
      throw new TransportError(
        'TRANSPORT_UNREACHABLE',
        `could not publish: ${describeError(cause)}`,
        {
          cause,
        },
      );
    }
  }

  async sendTo(device: DeviceId, data: Uint8Array): Promise<void> {
    this.#open();
    const peer = this.#reachable.get(device);
    if (peer === undefined) {
      this.#dialInBackground(device);
      this.#onUnreachable(device, this.#known.get(device), data.slice());
      throw new TransportError('TRANSPORT_UNREACHABLE', `device ${device} is not connected`);
    }
    const key = peer.toString();
    // The muxer may still hold the bytes after the write resolves: the caller's buffer is theirs.
    const copy = data.slice();
    // One write at a time per peer: frames must not interleave on the stream.
    const previous = this.#sending.get(key) ?? Promise.resolve();
    const next = previous.then(() => this.#write(peer, copy));
    const settled = next.catch(() => {
      // It was thought reachable but is not (it went away unseen): what cannot wait for it
      // (a Welcome) goes to its inbox on the relays, as for a device known to be away.
      this.#onUnreachable(device, peer, copy);
    });
    this.#sending.set(key, settled);
    void settled.then(() => {
      if (this.#sending.get(key) === settled) this.#sending.delete(key);
    });
    await next;
  }

  /**
   * Hands the engine a topic message that came another way (a relay mailbox): the same path as
   * gossip, checked the same way.
   */
  deliverStored(topic: string, data: Uint8Array): void {
    if (this.#topics.has(topic) && this.#acceptTopic(data)) {
      this.#deliver({ kind: 'topic', topic, data });
    }
  }

  /** The same for a direct frame that came another way (a relay inbox, signed by `from`). */
  deliverDirectFrom(from: DeviceId, data: Uint8Array): void {
    if (this.#acceptDirect(data)) this.#deliver({ kind: 'direct', from, data });
  }

  onMessage(handler: (message: InboundMessage) => void): () => void {
    this.#handlers.add(handler);
    return () => this.#handlers.delete(handler);
  }

  onPeer(handler: (event: PeerEvent) => void): () => void {
    this.#peerHandlers.add(handler);
    const now = [...this.#reachable.keys()];
    queueMicrotask(() => {
      if (!this.#peerHandlers.has(handler)) return;
      for (const device of now) {
        if (this.#reachable.has(device)) handler({ device, reachable: true });
      }
    });
    return () => this.#peerHandlers.delete(handler);
  }

  /**
   * Stops this endpoint and its libp2p node (the engine closes its transport when the device
   * closes, and others must then see it go).
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const off of this.#cleanup) off();
    for (const topic of [...this.#topics]) this.unsubscribe(topic);
    this.#handlers.clear();
    this.#peerHandlers.clear();
    await this.#libp2p.unhandle(Protocols.direct).catch(() => undefined);
    const streams = await Promise.allSettled(this.#outbound.values());
    for (const s of streams) if (s.status === 'fulfilled') await closeQuietly(s.value.unwrap());
    for (const s of this.#inbound) await closeQuietly(s);
    this.#outbound.clear();
    await this.#libp2p.stop();
  }

  // ---- internals -------------------------------------------------------------------------

  async #start(): Promise<void> {
    await this.#libp2p.handle(
      Protocols.direct,
      (stream, connection) => this.#readFrames(stream, connection.remotePeer),
      { runOnLimitedConnection: true, maxInboundStreams: 4 },
    );
    const pubsub = this.#libp2p.services.pubsub;
    const onGossip = (event: CustomEvent<{ topic: string; data: Uint8Array }>): void => {
      const { topic, data } = event.detail;
      if (this.#topics.has(topic)) this.#deliver({ kind: 'topic', topic, data: plain(data) });
    };
    pubsub.addEventListener('message', onGossip);
    const onIdentify = (event: CustomEvent<IdentifyResult>): void => {
      const { peerId, protocols, connection } = event.detail;
      // An identify that ends after its connection closed (the peer stopped meanwhile) must
      // not mark the peer reachable again after its disconnect: frames to it would be lost.
      if (connection.status !== 'open') return;
      if (protocols.includes(Protocols.direct)) this.#reach(peerId);
    };
    const onDisconnect = (event: CustomEvent<PeerId>): void => {
      this.#unreach(event.detail);
    };
    this.#libp2p.addEventListener('peer:identify', onIdentify);
    this.#libp2p.addEventListener('peer:disconnect', onDisconnect);
    // Peers identified before the listener existed (they connected while the device opened).
    for (const connection of this.#libp2p.getConnections()) {
      const peer = connection.remotePeer;
      const known = await this.#libp2p.peerStore.get(peer).catch(() => undefined);
      if (known?.protocols.includes(Protocols.direct) === true) this.#reach(peer);
    }
    this.#cleanup.push(
      () => {
        pubsub.removeEventListener('message', onGossip);
      },
      () => {
        this.#libp2p.removeEventListener('peer:identify', onIdentify);
      },
      () => {
        this.#libp2p.removeEventListener('peer:disconnect', onDisconnect);
      },
    );
  }

  #reach(peer: PeerId): void {
    const device = deviceIdOfPeer(peer);
    if (device === undefined || this.#closed) return;
    this.#known.set(device, peer);
    if (this.#reachable.has(device)) return;
    this.#reachable.set(device, peer);
    for (const h of [...this.#peerHandlers]) h({ device, reachable: true });
  }

  #unreach(peer: PeerId): void {
    const device = deviceIdOfPeer(peer);
    if (device === undefined || !this.#reachable.delete(device)) return;
    this.#outbound.delete(peer.toString());
    for (const h of [...this.#peerHandlers]) h({ device, reachable: false });
  }

  #dialInBackground(device: DeviceId): void {
    const peer = this.#known.get(device);
    if (peer === undefined || this.#guard.isBlocked(peer)) return;
    // Identify then reports the device reachable; a failed dial just leaves it unreachable.
    this.#libp2p.dial(peer, { signal: AbortSignal.timeout(this.#streamTimeoutMs) }).catch(() => {
      // Unreachable for now: sync runs when either side connects later.
    });
  }

  async #write(peer: PeerId, data: Uint8Array): Promise<void> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const stream = await this.#outboundStream(peer);
      try {
        await stream.write(data);
        return;
      } catch {
        // The stream died under us (the peer restarted, a relay dropped): open another once.
        this.#outbound.delete(peer.toString());
      }
    }
    throw new TransportError('TRANSPORT_UNREACHABLE', `the stream to ${peer.toString()} failed`);
  }

  #outboundStream(peer: PeerId): Promise<LengthPrefixedStream<Stream>> {
    const key = peer.toString();
    let pending = this.#outbound.get(key);
    if (pending === undefined) {
      pending = openDirectStream(this.#libp2p, peer, this.#streamTimeoutMs).then((stream) => {
        stream.addEventListener('close', () => {
          if (this.#outbound.get(key) === pending) this.#outbound.delete(key);
        });
        return lpStream(stream, { maxDataLength: MAX_DIRECT_FRAME_BYTES });
      });
      this.#outbound.set(key, pending);
      pending.catch(() => {
        if (this.#outbound.get(key) === pending) this.#outbound.delete(key);
      });
    }
    return pending.catch((cause: unknown) => {
      throw new TransportError(
        'TRANSPORT_UNREACHABLE',
        `no stream to ${key}: ${describeError(cause)}`,
        {
          cause,
        },
      );
    });
  }

  async #readFrames(stream: Stream, peer: PeerId): Promise<void> {
    const from = deviceIdOfPeer(peer);
    if (from === undefined || this.#closed) {
      stream.abort(new Error('not a Kith device'));
      return;
    }
    this.#inbound.add(stream);
    const frames = lpStream(stream, { maxDataLength: MAX_DIRECT_FRAME_BYTES });
    try {
      for (;;) {
        const data = plain((await frames.read()).subarray());
        if (!this.#acceptDirect(data)) {
          this.#violation(stream, peer, 'a malformed frame on the direct protocol');
          return;
        }
        this.#deliver({ kind: 'direct', from, data });
      }
    } catch (error) {
      if (error instanceof Error && FRAMING_ERRORS.has(error.name)) {
        this.#violation(stream, peer, `broken framing on the direct protocol (${error.name})`);
      }
      // Anything else is the stream ending: the peer closed it or the connection went.
    } finally {
      this.#inbound.delete(stream);
    }
  }

  #violation(stream: Stream, peer: PeerId, reason: string): void {
    stream.abort(new Error(reason));
    this.#guard.violation(peer, reason);
  }

  #deliver(message: InboundMessage): void {
    for (const h of [...this.#handlers]) h(message);
  }

  #open(): void {
    if (this.#closed) throw new TransportError('TRANSPORT_CLOSED', 'this transport is closed');
  }
}

async function closeQuietly(stream: Stream): Promise<void> {
  await stream.close().catch(() => {
    stream.abort(new Error('closing'));
  });
}

/** A plain Uint8Array view (libp2p hands out Node Buffers, which compare and print differently). */
function plain(bytes: Uint8Array): Uint8Array {
  return bytes.constructor === Uint8Array
    ? bytes
    : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
