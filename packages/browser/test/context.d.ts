import type { MessageView, PeerRequest } from './fixtures/peer-protocol.ts';

declare module 'vitest' {
  interface ProvidedContext {
    /** The test relay's WebSocket multiaddr, ending in /p2p/<relay peer id>. */
    relayAddress: string;
  }
}

declare module 'vitest/browser' {
  interface BrowserCommands {
    nodePeerStart: (name: string) => Promise<void>;
    nodePeer: (name: string, request: PeerRequest) => Promise<unknown>;
    nodePeerStop: (name: string) => Promise<void>;
    /**
     * Starts a relay of the test's own; resolves to its WebSocket multiaddr (with `tls`, its
     * secure WebSocket one, a self-signed certificate the test browser accepts).
     */
    relayStart: (name: string, options?: { tls?: boolean }) => Promise<string>;
    relayStop: (name: string) => Promise<void>;
  }
}

export type { MessageView };
