import type { DeviceId } from '../ids.ts';
import { TransportError } from '../ports/transport-error.ts';
import type { InboundMessage, PeerEvent, TransportPort } from '../ports/transport.ts';
import { HandlerSet, type Handler } from './handler-set.ts';

/** What a simulated endpoint asks of its network. */
export interface SimHost {
  publish(from: SimEndpoint, topic: string, data: Uint8Array): void;
  /** Schedules the message, or returns why it cannot be sent (TRANSPORT_UNREACHABLE). */
  sendTo(from: SimEndpoint, to: DeviceId, data: Uint8Array): TransportError | undefined;
  /** Schedules telling a new handler which devices `endpoint` reaches now. */
  replayPeers(endpoint: SimEndpoint, handler: Handler<PeerEvent>): void;
  left(endpoint: SimEndpoint): void;
}

/**
 * One device's endpoint on a `SimulatedNetwork`. Sending only schedules; the network delivers
 * when the test steps it.
 */
export class SimEndpoint implements TransportPort {
  readonly self: DeviceId;
  readonly topics = new Set<string>();
  readonly messages = new HandlerSet<InboundMessage>();
  readonly peers = new HandlerSet<PeerEvent>();
  readonly #host: SimHost;
  #closed = false;

  constructor(self: DeviceId, host: SimHost) {
    this.self = self;
    this.#host = host;
  }

  get closed(): boolean {
    return this.#closed;
  }

  subscribe(topic: string): void {
    if (!this.#closed) this.topics.add(topic);
  }

  unsubscribe(topic: string): void {
    this.topics.delete(topic);
  }

  publish(topic: string, data: Uint8Array): Promise<void> {
    if (this.#closed) return this.#rejectClosed();
    this.#host.publish(this, topic, data);
    return Promise.resolve();
  }

  sendTo(device: DeviceId, data: Uint8Array): Promise<void> {
    if (this.#closed) return this.#rejectClosed();
    const refused = this.#host.sendTo(this, device, data);
    return refused === undefined ? Promise.resolve() : Promise.reject(refused);
  }

  onMessage(handler: (message: InboundMessage) => void): () => void {
    const registration = this.messages.add(handler);
    return () => {
      this.messages.remove(registration);
    };
  }

  onPeer(handler: (event: PeerEvent) => void): () => void {
    const registration = this.peers.add(handler);
    if (!this.#closed) this.#host.replayPeers(this, registration);
    return () => {
      this.peers.remove(registration);
    };
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    this.topics.clear();
    this.messages.clear();
    this.peers.clear();
    this.#host.left(this);
    return Promise.resolve();
  }

  #rejectClosed(): Promise<never> {
    return Promise.reject(
      new TransportError('TRANSPORT_CLOSED', `the endpoint of ${this.self} is closed`),
    );
  }
}
