import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '@libp2p/crypto/keys';
import type { Connection, IdentifyResult, PeerId } from '@libp2p/interface';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { multiaddr } from '@multiformats/multiaddr';
import { moveOffRelays } from '../../src/net/relayed-connections.ts';

const peer = async (): Promise<PeerId> => peerIdFromPrivateKey(await generateKeyPair('Ed25519'));

/** A connection as moveOffRelays sees it: direct or not, open, and whether it was closed. */
function connection(remotePeer: PeerId, direct: boolean): Connection & { closed: boolean } {
  const c = {
    remotePeer,
    direct,
    status: 'open',
    streams: [],
    closed: false,
    close: () => {
      c.closed = true;
      c.status = 'closed';
      return Promise.resolve();
    },
    abort: () => undefined,
  };
  return c as unknown as Connection & { closed: boolean };
}

/** Just what moveOffRelays uses of libp2p: its events, connections, dials and identify. */
function fakeLibp2p(self: PeerId, connections: Connection[]) {
  const events = new EventTarget();
  const dials: string[] = [];
  const libp2p = {
    peerId: self,
    status: 'started',
    addEventListener: events.addEventListener.bind(events),
    removeEventListener: events.removeEventListener.bind(events),
    getConnections: (p?: PeerId) =>
      connections.filter((c) => p === undefined || c.remotePeer.equals(p)),
    getDialQueue: () => [],
    dial: (address: { toString(): string }) => {
      dials.push(address.toString());
      return Promise.reject(new Error('no WebRTC here'));
    },
    services: { identify: { identify: () => Promise.resolve() } },
  };
  const identified = (c: Connection, listenAddrs: string[] = []): void => {
    const detail = {
      peerId: c.remotePeer,
      connection: c,
      listenAddrs: listenAddrs.map((a) => multiaddr(a)),
    };
    events.dispatchEvent(new CustomEvent<Partial<IdentifyResult>>('peer:identify', { detail }));
  };
  return { libp2p: libp2p as unknown as Parameters<typeof moveOffRelays>[0], identified, dials };
}

describe('moveOffRelays', () => {
  it('closes the relayed connections once a direct one is identified', async () => {
    const [self, other] = [await peer(), await peer()];
    const relayed = connection(other, false);
    const direct = connection(other, true);
    const { libp2p, identified } = fakeLibp2p(self, [relayed, direct]);
    const stop = moveOffRelays(libp2p);
    identified(direct);
    expect(relayed.closed).toBe(true);
    expect(direct.closed).toBe(false);
    stop();
  });

  it('closes a relayed connection identified while a direct one is already open', async () => {
    const [self, other] = [await peer(), await peer()];
    const direct = connection(other, true);
    const late = connection(other, false);
    const { libp2p, identified, dials } = fakeLibp2p(self, [direct, late]);
    const stop = moveOffRelays(libp2p);
    identified(late, [`/ip4/127.0.0.1/tcp/1/p2p/${self.toString()}/p2p-circuit/webrtc`]);
    expect(late.closed).toBe(true);
    expect(direct.closed).toBe(false);
    expect(dials).toEqual([]);
    stop();
  });

  it('keeps a relayed connection that is the only one, and upgrades it from the lower peer ID', async () => {
    const [a, b] = [await peer(), await peer()];
    const [low, high] = a.toString() < b.toString() ? [a, b] : [b, a];
    const relayed = connection(high, false);
    const { libp2p, identified, dials } = fakeLibp2p(low, [relayed]);
    const stop = moveOffRelays(libp2p);
    const webrtc = `/ip4/127.0.0.1/tcp/1/p2p/${low.toString()}/p2p-circuit/webrtc`;
    identified(relayed, [webrtc]);
    expect(relayed.closed).toBe(false);
    expect(dials).toEqual([`${webrtc}/p2p/${high.toString()}`]);
    stop();
  });
});
