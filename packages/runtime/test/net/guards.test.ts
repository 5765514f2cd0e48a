import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { multiaddr } from '@multiformats/multiaddr';
import { encodeDirectFrame } from '@kith/core';
import { stickyListen } from '../../src/net/address-book.ts';
import { PeerGuard } from '../../src/net/peer-guard.ts';
import { RequestBudget } from '../../src/net/rate-limit.ts';
import { isDirectFrame, looksLikeMlsMessage } from '../../src/net/wire-checks.ts';
import {
  decodeLocateRequest,
  decodeLocateResponse,
  encodeLocateRequest,
  encodeLocateResponse,
} from '../../src/net/locate.ts';

const peer = async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519'));

describe('PeerGuard', () => {
  it('blocks at once for a violation, for a while, and reports it', async () => {
    let now = 1000;
    const guard = new PeerGuard({ blockMs: 60_000, now: () => now });
    const p = await peer();
    const reports: string[] = [];
    guard.onViolation((m) => reports.push(m.reason));
    guard.violation(p, 'garbage');
    expect(guard.isBlocked(p)).toBe(true);
    expect(reports).toEqual(['garbage']);
    now += 60_001;
    expect(guard.isBlocked(p)).toBe(false);
  });

  it('blocks for gossip only after repeated strikes', async () => {
    const guard = new PeerGuard({ gossipStrikes: 3 });
    const p = await peer();
    guard.strike(p, 'x');
    guard.strike(p, 'x');
    expect(guard.isBlocked(p)).toBe(false);
    guard.strike(p, 'x');
    expect(guard.isBlocked(p)).toBe(true);
  });

  it('keeps a user block until lifted, and its gater refuses the peer', async () => {
    const guard = new PeerGuard();
    const [p, q] = [await peer(), await peer()];
    guard.block(p);
    const gater = guard.gater();
    expect(await gater.denyDialPeer?.(p)).toBe(true);
    expect(await gater.denyDialPeer?.(q)).toBe(false);
    guard.unblock(p);
    expect(await gater.denyDialPeer?.(p)).toBe(false);
  });
});

describe('RequestBudget', () => {
  it('refuses one peer beyond its rate, and everyone beyond the total, then refills', () => {
    let now = 0;
    const budget = new RequestBudget(2, 3, () => now);
    expect([budget.take('a'), budget.take('a'), budget.take('a')]).toEqual([true, true, false]);
    expect(budget.take('b')).toBe(true);
    expect(budget.take('c')).toBe(false); // the shared budget (3) is spent
    now += 60_000;
    expect(budget.take('a')).toBe(true);
  });
});

describe('wire checks', () => {
  it('tell MLS framing and engine frames from garbage', () => {
    expect(looksLikeMlsMessage(Uint8Array.from([0, 1, 0, 2, 9, 9, 9, 9]))).toBe(true);
    expect(looksLikeMlsMessage(Uint8Array.from([0, 1, 0, 5, 9, 9, 9, 9]))).toBe(false);
    expect(looksLikeMlsMessage(new TextEncoder().encode('hello world'))).toBe(false);
    const frame = encodeDirectFrame({ type: 'welcome', welcome: new Uint8Array([1, 2, 3]) });
    expect(isDirectFrame(frame)).toBe(true);
    expect(isDirectFrame(Uint8Array.from([0xff, 0x00]))).toBe(false);
  });
});

describe('the locate protocol encoding', () => {
  it('round-trips and drops what does not parse', () => {
    const key = new Uint8Array(32).fill(7);
    expect(decodeLocateRequest(encodeLocateRequest([key]))).toEqual([key]);
    expect(decodeLocateRequest(Uint8Array.from([0xff]))).toBeUndefined();
    const address = multiaddr('/ip4/127.0.0.1/tcp/4001');
    const [found] = decodeLocateResponse(
      encodeLocateResponse([{ publicKey: key, addresses: [address] }]),
    );
    expect(found?.addresses.map((a) => a.toString())).toEqual(['/ip4/127.0.0.1/tcp/4001']);
    expect(decodeLocateResponse(Uint8Array.from([1, 2, 3]))).toEqual([]);
  });
});

describe('sticky listen ports', () => {
  it('reuses last time’s port per IP family and transport', () => {
    const previous = [
      multiaddr(
        '/ip4/127.0.0.1/tcp/5999/p2p/12D3KooWGzh6CbnS9Q5t5GrGxGgzT6vK6AKyfZ9XCQ5xbgVAdVFa/p2p-circuit',
      ),
      multiaddr('/ip4/127.0.0.1/tcp/4100/p2p/12D3KooWGzh6CbnS9Q5t5GrGxGgzT6vK6AKyfZ9XCQ5xbgVAdVFa'),
      multiaddr('/ip4/192.168.1.5/tcp/4101/ws'),
    ];
    expect(
      stickyListen(
        ['/ip4/0.0.0.0/tcp/0', '/ip4/0.0.0.0/tcp/0/ws', '/ip6/::/tcp/0', '/ip4/1.2.3.4/tcp/99'],
        previous,
      ),
    ).toEqual([
      '/ip4/0.0.0.0/tcp/4100',
      '/ip4/0.0.0.0/tcp/4101/ws',
      '/ip6/::/tcp/0',
      '/ip4/1.2.3.4/tcp/99',
    ]);
  });
});
