import { generateKeyPair } from '@libp2p/crypto/keys';
import type { PeerId } from '@libp2p/interface';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { multiaddr } from '@multiformats/multiaddr';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DeviceLibp2p } from '../../src/net/device-libp2p.ts';
import { Backoff } from '../../src/relay/backoff.ts';
import { RelayKeeper, parseRelays } from '../../src/relay/relay-keeper.ts';

/** A relay seen from a device's libp2p: reachable or not, granting reservations or not. */
class FakeNetwork extends EventTarget {
  up = true;
  grants = true;
  connected = true;
  reserved = true;
  dials = 0;
  listens = 0;
  readonly services = {
    circuitListen: {
      listen: (): Promise<void> => {
        this.listens++;
        if (this.connected && this.grants) this.reserved = true;
        return Promise.resolve();
      },
    },
  };

  readonly relay: PeerId;

  constructor(relay: PeerId) {
    super();
    this.relay = relay;
  }

  getConnections(): { status: string; limits: undefined }[] {
    return this.connected ? [{ status: 'open', limits: undefined }] : [];
  }

  getMultiaddrs(): ReturnType<typeof multiaddr>[] {
    return this.reserved
      ? [multiaddr(`/ip4/127.0.0.1/tcp/1/p2p/${this.relay.toString()}/p2p-circuit`)]
      : [];
  }

  dial(): Promise<void> {
    this.dials++;
    if (!this.up) return Promise.reject(new Error('connect ECONNREFUSED'));
    this.connected = true;
    return Promise.resolve();
  }

  /** The relay went away: its connection and the reservation with it. */
  drop(): void {
    this.connected = false;
    this.reserved = false;
    this.dispatchEvent(new Event('peer:disconnect'));
  }
}

async function setUp(random: () => number) {
  const relay = peerIdFromPrivateKey(await generateKeyPair('Ed25519'));
  const net = new FakeNetwork(relay);
  const relays = parseRelays([`/ip4/127.0.0.1/tcp/1/p2p/${relay.toString()}`]);
  const keeper = new RelayKeeper(net as unknown as DeviceLibp2p, relays, random);
  return { net, keeper };
}

describe('Backoff', () => {
  it('doubles from the first wait to the longest, jittered within half a step, and resets', () => {
    let r = 1;
    const b = new Backoff({ firstMs: 1000, maxMs: 30_000, random: () => r });
    expect([1, 2, 3, 4, 5, 6, 7].map(() => b.next())).toEqual([
      1000, 2000, 4000, 8000, 16_000, 30_000, 30_000,
    ]);
    b.reset();
    r = 0;
    expect([b.next(), b.next()]).toEqual([500, 1000]);
    // Far into an outage the step stays at the longest wait (no overflow to Infinity).
    for (let i = 0; i < 2000; i++) b.next();
    r = 1;
    expect(b.next()).toBe(30_000);
  });
});

describe('RelayKeeper', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('leaves a relay that is connected and reserved alone', async () => {
    const { net, keeper } = await setUp(() => 1);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(net.dials + net.listens).toBe(0);
    expect(keeper.status()).toEqual([
      expect.objectContaining({ connected: true, reserved: true, failures: 0 }),
    ]);
    keeper.close();
  });

  it('after a relay went away, retries 1 s doubling to 30 s, then reserves again and starts over', async () => {
    const { net, keeper } = await setUp(() => 1);
    net.up = false;
    net.drop();
    expect(keeper.status()[0]).toMatchObject({
      connected: false,
      reserved: false,
      nextAttemptAt: Date.now() + 1000,
    });
    const waits: number[] = [];
    for (let i = 0; i < 7; i++) {
      const at = keeper.status()[0]?.nextAttemptAt ?? 0;
      waits.push(at - Date.now());
      await vi.advanceTimersByTimeAsync(at - Date.now() - 1);
      expect(net.dials).toBe(i);
      await vi.advanceTimersByTimeAsync(1);
      expect(net.dials).toBe(i + 1);
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
    expect(keeper.status()[0]).toMatchObject({
      failures: 7,
      lastError: 'connect ECONNREFUSED',
      nextAttemptAt: Date.now() + 30_000,
    });
    // The relay is back: within the longest wait the device is connected and reserved again.
    net.up = true;
    await vi.advanceTimersByTimeAsync(30_000);
    expect(net.listens).toBe(1);
    const back = keeper.status()[0];
    expect(back).toMatchObject({ connected: true, reserved: true, failures: 0 });
    expect(back?.nextAttemptAt).toBeUndefined();
    expect(back?.lastError).toBeUndefined();
    // The next outage starts from the first wait again.
    net.drop();
    expect(keeper.status()[0]?.nextAttemptAt).toBe(Date.now() + 1000);
    keeper.close();
  });

  it('reserves again when the connection is back but the reservation is not', async () => {
    const { net, keeper } = await setUp(() => 0);
    // libp2p (or anything else) reconnected to the relay; the reservation stayed lost.
    net.reserved = false;
    net.dispatchEvent(new Event('peer:identify'));
    await vi.advanceTimersByTimeAsync(500);
    expect(net.dials).toBe(0);
    expect(net.listens).toBe(1);
    expect(keeper.status()[0]).toMatchObject({ connected: true, reserved: true });
    keeper.close();
  });

  it('asks a relay that refuses reservations (full) rarely: 30 s doubling to 10 min', async () => {
    const { net, keeper } = await setUp(() => 1);
    net.grants = false;
    net.drop();
    await vi.advanceTimersByTimeAsync(1000);
    expect(net.listens).toBe(1);
    expect(keeper.status()[0]).toMatchObject({
      connected: true,
      reserved: false,
      lastError: expect.stringContaining('no reservation') as unknown,
      nextAttemptAt: Date.now() + 30_000,
    });
    await vi.advanceTimersByTimeAsync(30_000);
    expect(net.listens).toBe(2);
    expect(keeper.status()[0]?.nextAttemptAt).toBe(Date.now() + 60_000);
    keeper.close();
  });

  it('stops trying once closed', async () => {
    const { net, keeper } = await setUp(() => 1);
    net.up = false;
    net.drop();
    keeper.close();
    await vi.advanceTimersByTimeAsync(600_000);
    expect(net.dials).toBe(0);
  });
});
