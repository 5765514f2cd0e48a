import { circuitRelayServer } from '@libp2p/circuit-relay-v2';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { identify } from '@libp2p/identify';
import type { Libp2p, Stream } from '@libp2p/interface';
import { noise } from '@libp2p/noise';
import { tcp } from '@libp2p/tcp';
import { yamux } from '@libp2p/yamux';
import { multiaddr } from '@multiformats/multiaddr';
import { createLibp2p } from 'libp2p';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobIdOf, encodeBlobRequest, MemoryBlobStore } from '@kith/core';
import {
  createDeviceLibp2p,
  fetchRecords,
  PeerGuard,
  Protocols,
  serveBlobs,
  type DeviceLibp2p,
} from '@kith/node';

const WAIT_MS = 30_000;

/** A device's libp2p node listening on no address of its own: reachable only through `relays`. */
async function device(relays: readonly string[] = []): Promise<DeviceLibp2p> {
  return createDeviceLibp2p(await generateKeyPair('Ed25519'), new PeerGuard(), {
    listen: [],
    mdns: false,
    relays,
  });
}

/** Reads a raw blob exchange to its end: the bytes the server sent back. */
async function rawExchange(stream: Stream, request: Uint8Array): Promise<number> {
  let received = 0;
  try {
    stream.send(Uint8Array.of(request.length, ...request));
    for await (const chunk of stream) received += chunk.byteLength;
  } catch {
    // A stream reset at once is a refusal too.
  }
  return received;
}

/**
 * The reported hole: a relay that sets no limits (any libp2p relay may; libp2p's own option
 * `applyDefaultLimit: false`) gives circuits that libp2p does not count as limited, so
 * `runOnLimitedConnection: false` alone let blob records run through the relay. Neither side
 * may carry them: the server refuses a relayed connection, the fetcher never uses one.
 */
describe('blob traffic never runs over a relay circuit, even one without limits', () => {
  let relay: Libp2p;
  let alice: DeviceLibp2p;
  let bob: DeviceLibp2p;
  let aliceCircuit = '';
  const store = new MemoryBlobStore();
  const id = blobIdOf(new Uint8Array(32).fill(9));

  beforeAll(async () => {
    relay = await createLibp2p({
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: {
        identify: identify(),
        relay: circuitRelayServer({ reservations: { applyDefaultLimit: false } }),
      },
    });
    const relayAddress = relay.getMultiaddrs()[0]?.toString() ?? '';
    alice = await device([relayAddress]);
    bob = await device();
    await store.putRecord(id, 0, new Uint8Array(64).fill(1));
    await store.putRecord(id, 1, new Uint8Array(64).fill(2));
    const deadline = Date.now() + WAIT_MS;
    while (!alice.getMultiaddrs().some((a) => a.toString().includes('/p2p-circuit/p2p/'))) {
      if (Date.now() > deadline) throw new Error('alice got no circuit address');
      await new Promise((resolve) => {
        alice.addEventListener('self:peer:update', resolve, { once: true });
      });
    }
    aliceCircuit =
      alice
        .getMultiaddrs()
        .map((a) => a.toString())
        .find((a) => a.includes('/p2p-circuit/p2p/')) ?? '';
  }, 60_000);

  afterAll(async () => {
    await bob.stop();
    await alice.stop();
    await relay.stop();
  });

  it('the circuit is relayed yet not limited (the precondition of the hole)', async () => {
    const connection = await bob.dial(multiaddr(aliceCircuit), {
      signal: AbortSignal.timeout(WAIT_MS),
    });
    expect(connection.direct).toBe(false);
    expect(connection.limits).toBeUndefined();
  });

  it('a device serves no record over the circuit', async () => {
    await serveBlobs(alice, store);
    try {
      const connection = await bob.dial(multiaddr(aliceCircuit), {
        signal: AbortSignal.timeout(WAIT_MS),
      });
      const stream = await connection.newStream(Protocols.blob, {
        runOnLimitedConnection: true,
        signal: AbortSignal.timeout(WAIT_MS),
      });
      expect(await rawExchange(stream, encodeBlobRequest({ id, from: 0, count: 2 }))).toBe(0);
    } finally {
      await alice.unhandle(Protocols.blob);
    }
  });

  it('a device fetches no record over the circuit, even from a peer that would serve it', async () => {
    // A peer bypassing its client answers on any connection, relayed or not.
    let served = 0;
    await alice.handle(
      Protocols.blob,
      async (stream: Stream) => {
        for (const fill of [1, 2]) {
          stream.send(Uint8Array.of(64, ...new Uint8Array(64).fill(fill)));
          served++;
        }
        stream.send(Uint8Array.of(0));
        await stream.close();
      },
      { runOnLimitedConnection: true },
    );
    await bob.dial(multiaddr(aliceCircuit), { signal: AbortSignal.timeout(WAIT_MS) });
    const got: Uint8Array[] = [];
    const fetching = (async () => {
      for await (const record of fetchRecords(
        bob,
        alice.peerId,
        { id, from: 0, count: 2 },
        AbortSignal.timeout(WAIT_MS),
      )) {
        got.push(record);
      }
    })();
    await expect(fetching).rejects.toThrow(/only through a relay/);
    expect(got).toEqual([]);
    expect(served).toBe(0);
    await alice.unhandle(Protocols.blob);
  });
});
