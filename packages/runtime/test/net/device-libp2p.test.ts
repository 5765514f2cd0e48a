import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { gossipMessageId } from '../../src/net/device-libp2p.ts';

describe('gossip message IDs', () => {
  it('are SHA-256 of topic then data, as Node devices computed them with node:crypto', () => {
    const data = new TextEncoder().encode('an MLS message');
    for (const topic of ['', 'kith/room/abc', 'é']) {
      const expected = createHash('sha256').update(topic).update(data).digest();
      expect(gossipMessageId({ topic, data })).toEqual(new Uint8Array(expected));
    }
  });

  it('differ between topics for the same data', () => {
    const data = Uint8Array.of(1, 2, 3);
    expect(gossipMessageId({ topic: 'a', data })).not.toEqual(
      gossipMessageId({ topic: 'b', data }),
    );
  });
});
