import { generateKeyPair } from '@libp2p/crypto/keys';
import type { IdentifyResult, Stream } from '@libp2p/interface';
import { multiaddr } from '@multiformats/multiaddr';
import { blobIdOf, encodeBlobRequest, MemoryBlobStore } from '@kith/core';
import {
  createDeviceLibp2p,
  PeerGuard,
  Protocols,
  serveBlobs,
  type DeviceLibp2p,
} from '@kith/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextEvent } from './next-event.ts';
import { RelayProcess, WAIT_MS } from './relay-process.ts';

const ECHO = '/kith-test/echo/1.0.0';
const TOPIC = 'kith-test-topic';
/** Twice libp2p's default per-connection limit (128 KiB), each way. */
const PAYLOAD_BYTES = 256 * 1024;

/**
 * A device's libp2p node as @kith/node builds it, listening on no address of its own: reachable
 * only through the relays given, if any.
 */
async function device(relays: readonly string[] = []): Promise<DeviceLibp2p> {
  return createDeviceLibp2p(await generateKeyPair('Ed25519'), new PeerGuard(), {
    listen: [],
    mdns: false,
    relays,
  });
}

describe('devices reaching each other through the relay’s circuit', () => {
  let relay: RelayProcess;
  let alice: DeviceLibp2p;
  let bob: DeviceLibp2p;
  let aliceCircuit: string;
  const stopLater: { stop(): Promise<void> | void }[] = [];

  beforeAll(async () => {
    relay = await RelayProcess.start({
      args: ['--circuit-connection-data', '2MiB', '--circuit-max-reservations', '1'],
    });
    // Alice listens on the relay's circuit only: nobody can dial her directly.
    alice = await device([relay.tcpAddress]);
    stopLater.push(alice);
    await alice.handle(
      ECHO,
      async (stream: Stream) => {
        for await (const chunk of stream) stream.send(chunk);
        await stream.close();
      },
      { runOnLimitedConnection: true },
    );
    aliceCircuit =
      alice
        .getMultiaddrs()
        .map((a) => a.toString())
        .find((a) => a.includes('/p2p-circuit/p2p/')) ?? '';
    // Bob listens nowhere: he can only dial out.
    bob = await device();
    stopLater.push(bob);
  }, 60_000);

  afterAll(async () => {
    for (const node of stopLater.reverse()) await node.stop();
    await relay.remove();
  });

  it('gives the listening device a circuit address and counts its reservation', async () => {
    expect(aliceCircuit).toBe(`${relay.tcpAddress}/p2p-circuit/p2p/${alice.peerId.toString()}`);
    expect(await relay.metric('kith_relay_reservations')).toBe(1);
    const health = JSON.parse((await relay.get('/health')).text) as Record<string, unknown>;
    expect(health['reservations']).toBe(1);
    expect(health['connections']).toBe(1);
  });

  it('carries a stream both ways past libp2p’s default limit, on a limited connection', async () => {
    const signal = AbortSignal.timeout(WAIT_MS);
    const stream = await bob.dialProtocol(multiaddr(aliceCircuit), ECHO, {
      runOnLimitedConnection: true,
      signal,
    });
    const connection = bob.getConnections(alice.peerId)[0];
    // The relay's limit as configured (2 MiB, less what the handshakes used), not 128 KiB.
    expect(connection?.limits?.bytes).toBeGreaterThan(1024 * 1024);
    expect(connection?.limits?.bytes).toBeLessThanOrEqual(2 * 1024 * 1024);
    const sent = new Uint8Array(PAYLOAD_BYTES).map((_, i) => (i * 7) % 251);
    const received: Uint8Array[] = [];
    const reading = (async () => {
      for await (const chunk of stream) received.push(chunk.subarray());
    })();
    for (let at = 0; at < sent.length; at += 16 * 1024) {
      if (!stream.send(sent.subarray(at, at + 16 * 1024))) await stream.onDrain({ signal });
    }
    await stream.close({ signal });
    await reading;
    expect(Buffer.concat(received).equals(Buffer.from(sent))).toBe(true);
    expect(await relay.metric('kith_relay_connections')).toBe(2);
  });

  it('carries gossip between them, as a conversation needs', async () => {
    alice.services.pubsub.subscribe(TOPIC);
    bob.services.pubsub.subscribe(TOPIC);
    if (!bob.services.pubsub.getSubscribers(TOPIC).some((p) => p.equals(alice.peerId))) {
      await nextEvent(
        bob.services.pubsub,
        'subscription-change',
        'Bob to see Alice subscribe',
        () => bob.services.pubsub.getSubscribers(TOPIC).some((p) => p.equals(alice.peerId)),
      );
    }
    const arrived = nextEvent<{ data: Uint8Array }>(
      alice.services.pubsub,
      'message',
      'gossip from Bob',
    );
    await bob.services.pubsub.publish(TOPIC, new TextEncoder().encode('hello through the relay'));
    const message = await arrived;
    expect(new TextDecoder().decode(message.data)).toBe('hello through the relay');
  });

  it('never carries blob records over the circuit (a limited connection)', async () => {
    const store = new MemoryBlobStore();
    const id = blobIdOf(new Uint8Array(32).fill(5));
    await store.putRecord(id, 0, new Uint8Array(64));
    await serveBlobs(alice, store);
    const connection = await bob.dial(multiaddr(aliceCircuit), {
      signal: AbortSignal.timeout(WAIT_MS),
    });
    expect(connection.limits).toBeDefined();
    // Alice does not answer a blob request on a limited connection: the stream ends with no
    // record (Bob's own side never asks on one: `fetchRecords` opens with
    // runOnLimitedConnection false, which libp2p refuses on such a connection).
    const stream = await connection.newStream(Protocols.blob, {
      runOnLimitedConnection: true,
      signal: AbortSignal.timeout(WAIT_MS),
    });
    const request = encodeBlobRequest({ id, from: 0, count: 1 });
    let received = 0;
    try {
      stream.send(Uint8Array.of(request.length, ...request));
      for await (const chunk of stream) received += chunk.byteLength;
    } catch {
      // A stream closed or reset at once is a refusal too.
    }
    expect(received).toBe(0);
  });

  it('refuses a reservation beyond circuit.maxReservations, and counts it', async () => {
    // Her device still starts (a full relay must not keep it off the network), without a circuit.
    const eve = await device([relay.tcpAddress]);
    stopLater.push(eve);
    await relay.until('the refusal', () =>
      relay.logs.some((l) => l.msg.startsWith('refused a reservation')),
    );
    expect(eve.getMultiaddrs().some((a) => a.toString().includes('p2p-circuit'))).toBe(false);
    expect(await relay.metric('kith_relay_rejections_total{reason="reservation_limit"}')).toBe(1);
    expect(await relay.metric('kith_relay_reservations')).toBe(1);
  });

  it('is reachable directly, and tells devices it relays', async () => {
    const dave = await device();
    stopLater.push(dave);
    const identified = nextEvent<IdentifyResult>(
      dave,
      'peer:identify',
      'the relay to be identified',
      (result) => result.peerId.toString() === relay.peerId,
    );
    const rtt = await dave.services.ping.ping(multiaddr(relay.tcpAddress), {
      signal: AbortSignal.timeout(WAIT_MS),
    });
    expect(rtt).toBeGreaterThanOrEqual(0);
    const { protocols } = await identified;
    expect(protocols).toContain('/libp2p/circuit/relay/0.2.0/hop');
  });
});
