import { afterAll, describe, expect, it } from 'vitest';
import { commands } from 'vitest/browser';
import { KithBrowser } from '../src/index.ts';
import { uniqueName } from './helpers.ts';

const RELAY = 'wss';

afterAll(async () => {
  await commands.relayStop(RELAY);
});

/** Resolves once the tab listens through the relay (it holds a reservation there). */
function reserved(tab: KithBrowser, relay: string): Promise<string> {
  const libp2p = tab.libp2p;
  return new Promise((resolve) => {
    const check = (): void => {
      const circuit = libp2p
        .getMultiaddrs()
        .map((a) => a.toString())
        .find((a) => a.startsWith(`${relay}/p2p-circuit`));
      if (circuit === undefined) return;
      libp2p.removeEventListener('self:peer:update', check);
      resolve(circuit);
    };
    libp2p.addEventListener('self:peer:update', check);
    check();
  });
}

describe('a browser tab and a relay with a TLS certificate', () => {
  it('connects over secure WebSockets and reserves a slot there', async () => {
    const relay = await commands.relayStart(RELAY, { tls: true });
    expect(relay).toMatch(/\/tls\/ws\/p2p\//);
    // dialInsecure only because the relay is on 127.0.0.1, a private address.
    const tab = await KithBrowser.open({
      name: uniqueName('wss'),
      relays: [relay],
      dialInsecure: true,
    });
    try {
      await reserved(tab, relay);
      const relayPeer = relay.slice(relay.lastIndexOf('/p2p/') + '/p2p/'.length);
      const toRelay = tab.libp2p
        .getConnections()
        .filter((c) => c.remotePeer.toString() === relayPeer);
      expect(toRelay.length).toBeGreaterThan(0);
      for (const c of toRelay) expect(c.remoteAddr.toString()).toContain('/tls/ws');
    } finally {
      await tab.close();
    }
  });
});
