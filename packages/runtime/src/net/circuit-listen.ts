import type { Multiaddr } from '@multiformats/multiaddr';

/** The part of libp2p's (internal) transport manager this service uses. */
export interface ListeningComponents {
  readonly transportManager: { listen(addrs: Multiaddr[]): Promise<void> };
}

/**
 * Listening on an address after libp2p started, which libp2p's public API does not offer.
 * A device needs it for its relays: libp2p reserves a slot on a configured relay
 * (`<relay>/p2p-circuit`) once, when it starts listening, and never again after the relay
 * connection closes (libp2p/js-libp2p#3601), so after a relay restart the device listens there
 * anew. With the transport manager's NO_FATAL tolerance a failed listen does not throw: callers
 * check the addresses afterwards.
 */
export class CircuitListen {
  readonly #components: ListeningComponents;

  constructor(components: ListeningComponents) {
    this.#components = components;
  }

  listen(address: Multiaddr): Promise<void> {
    return this.#components.transportManager.listen([address]);
  }
}

export function circuitListen(): (components: ListeningComponents) => CircuitListen {
  return (components) => new CircuitListen(components);
}
