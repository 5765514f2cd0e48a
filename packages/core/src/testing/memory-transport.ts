import type { DeviceId } from '../ids.ts';
import { TransportError } from '../ports/transport-error.ts';
import type { InboundMessage, PeerEvent, TransportPort } from '../ports/transport.ts';
import { HandlerSet } from './handler-set.ts';

/**
 * An in-process network for unit tests: every endpoint reaches every other, and delivery
 * happens on a later microtask (never inside the `send` call, as on a real network), in the
 * order sent. For faults, delays and virtual time use `createSimulatedNetwork`.
 */
export interface MemoryNetwork {
  /** Joins the network as `device`; the others are told it is reachable. */
  endpoint(device: DeviceId): TransportPort;
  /** Devices with an open endpoint, in the order they joined. */
  readonly devices: readonly DeviceId[];
}

export function createMemoryNetwork(): MemoryNetwork {
  const endpoints = new Map<DeviceId, MemoryEndpoint>();
  const network = {
    endpoint(device: DeviceId): TransportPort {
      if (endpoints.has(device)) throw new Error(`device ${device} already has an open endpoint`);
      const endpoint = new MemoryEndpoint(device, endpoints);
      for (const other of endpoints.values()) other.peerEvent({ device, reachable: true });
      endpoints.set(device, endpoint);
      return endpoint;
    },
    get devices(): readonly DeviceId[] {
      return [...endpoints.keys()];
    },
  };
  return network;
}

/** Runs `task` on a later microtask: ordered like the calls, with no timer. */
function later(task: () => void): void {
  void Promise.resolve().then(task);
}

class MemoryEndpoint implements TransportPort {
  readonly self: DeviceId;
  readonly #network: Map<DeviceId, MemoryEndpoint>;
  readonly #topics = new Set<string>();
  readonly #messages = new HandlerSet<InboundMessage>();
  readonly #peers = new HandlerSet<PeerEvent>();
  #closed = false;

  constructor(self: DeviceId, network: Map<DeviceId, MemoryEndpoint>) {
    this.self = self;
    this.#network = network;
  }

  subscribe(topic: string): void {
    if (!this.#closed) this.#topics.add(topic);
  }

  unsubscribe(topic: string): void {
    this.#topics.delete(topic);
  }

  publish(topic: string, data: Uint8Array): Promise<void> {
    if (this.#closed) return rejectClosed(this.self);
    for (const other of this.#network.values()) {
      // Each receiver gets its own copy, as over a wire.
      if (other !== this && other.#topics.has(topic))
        other.#deliver({ kind: 'topic', topic, data: data.slice() });
    }
    return Promise.resolve();
  }

  sendTo(device: DeviceId, data: Uint8Array): Promise<void> {
    if (this.#closed) return rejectClosed(this.self);
    const other = this.#network.get(device);
    if (other === undefined || other === this) {
      return Promise.reject(
        new TransportError('TRANSPORT_UNREACHABLE', `no endpoint for device ${device}`),
      );
    }
    other.#deliver({ kind: 'direct', from: this.self, data: data.slice() });
    return Promise.resolve();
  }

  onMessage(handler: (message: InboundMessage) => void): () => void {
    const registration = this.#messages.add(handler);
    return () => {
      this.#messages.remove(registration);
    };
  }

  onPeer(handler: (event: PeerEvent) => void): () => void {
    const registration = this.#peers.add(handler);
    if (!this.#closed) {
      const reachable = [...this.#network.keys()].filter((device) => device !== this.self);
      later(() => {
        for (const device of reachable)
          this.#peers.emit({ device, reachable: true }, [registration]);
      });
    }
    return () => {
      this.#peers.remove(registration);
    };
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    this.#topics.clear();
    this.#messages.clear();
    this.#peers.clear();
    this.#network.delete(this.self);
    for (const other of this.#network.values())
      other.peerEvent({ device: this.self, reachable: false });
    return Promise.resolve();
  }

  /** Tells the handlers registered now (those registered later learn it from their replay). */
  peerEvent(event: PeerEvent): void {
    const handlers = this.#peers.snapshot();
    later(() => {
      this.#peers.emit(event, handlers);
    });
  }

  #deliver(message: InboundMessage): void {
    later(() => {
      if (this.#closed) return;
      if (message.kind === 'topic' && !this.#topics.has(message.topic)) return;
      this.#messages.emit(message);
    });
  }
}

function rejectClosed(device: DeviceId): Promise<never> {
  return Promise.reject(
    new TransportError('TRANSPORT_CLOSED', `the endpoint of ${device} is closed`),
  );
}
