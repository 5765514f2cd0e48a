import { generateKeyPair } from '@libp2p/crypto/keys';
import { describe, expect, it } from 'vitest';
import { createDeviceLibp2p } from '../../src/net/create-libp2p.ts';
import { Libp2pTransport, PeerGuard } from '@kith/runtime';

describe('publishing ephemeral signals', () => {
  it('keeps them from the relay mailboxes: onPublish hears only the others', async () => {
    const guard = new PeerGuard();
    const libp2p = await createDeviceLibp2p(await generateKeyPair('Ed25519'), guard, {
      listen: ['/ip4/127.0.0.1/tcp/0'],
      mdns: false,
    });
    const mirrored: Uint8Array[] = [];
    const transport = await Libp2pTransport.start({
      libp2p,
      guard,
      onPublish: (_, data) => mirrored.push(data),
    });
    try {
      transport.subscribe('t');
      // Nobody else is subscribed: gossipsub may refuse to publish; the mirror decision comes first.
      await transport.publish('t', Uint8Array.of(1), { ephemeral: true }).catch(() => undefined);
      await transport.publish('t', Uint8Array.of(2)).catch(() => undefined);
      await transport.publish('t', Uint8Array.of(3), { ephemeral: false }).catch(() => undefined);
      expect(mirrored).toEqual([Uint8Array.of(2), Uint8Array.of(3)]);
    } finally {
      await transport.close();
      await libp2p.stop();
    }
  });
});
