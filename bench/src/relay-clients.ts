import net from 'node:net';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { createDeviceLibp2p, PeerGuard, type DeviceLibp2p } from '@kith/node';

/** Device libp2p nodes as clients of a relay process, for the relay benchmarks. */

type PeerId = DeviceLibp2p['peerId'];

/**
 * A device's libp2p node as @kith/node builds it (fresh Ed25519 key), listening on no address
 * of its own; with `relays`, reachable through their circuits (a reservation on each).
 */
export async function relayDevice(relays: readonly string[] = []): Promise<DeviceLibp2p> {
  return createDeviceLibp2p(await generateKeyPair('Ed25519'), new PeerGuard(), {
    listen: [],
    mdns: false,
    relays,
  });
}

/**
 * One libp2p ping (a new stream, 32 bytes each way), tried up to six times. libp2p allows one
 * outbound ping stream per connection and its connection monitor pings every connection now
 * and then, so a ping can meet one of those (or, on a busy machine, its own previous stream not
 * yet closed) and be refused. Nothing says when the slot frees, so the retries back off (20 ms
 * doubling); why is counted in `retries` (reason → times). A connection that is gone fails every
 * time (ping would dial again, so callers check the relay's connection count afterwards).
 */
export async function pingOnce(
  node: DeviceLibp2p,
  peer: PeerId,
  retries: Map<string, number>,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await node.services.ping.ping(peer, { signal: AbortSignal.timeout(15_000) });
      return;
    } catch (error) {
      if (attempt === 6) throw error;
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      retries.set(reason, (retries.get(reason) ?? 0) + 1);
      await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt));
    }
  }
}

/**
 * Many clients of one relay on one host. libp2p refuses more than 5 inbound connections a
 * second from one IP address (`connectionManager.inboundConnectionThreshold`, which the relay
 * leaves at its default), so a thousand devices all on 127.0.0.1 would take over three minutes
 * to connect. Real devices come from many addresses: here each new TCP connection this process
 * opens to 127.0.0.1 is bound to the next source address of 127.0.0.0/8 (every one of them is
 * local on Linux). `createDeviceLibp2p` takes no TCP options, so `net.connect`, which libp2p's
 * TCP transport calls, is wrapped; `restore` puts it back.
 */
export function spreadLoopbackSources(): { restore: () => void } {
  const connect = net.connect;
  let next = 0;
  const wrapped = (...args: unknown[]): net.Socket => {
    const [options] = args;
    if (
      typeof options === 'object' &&
      options !== null &&
      (options as net.TcpNetConnectOpts).host === '127.0.0.1' &&
      (options as net.TcpNetConnectOpts).localAddress === undefined
    ) {
      // 127.0.1.1, 127.0.1.2, ...: up to 62,500 sources, never 127.0.0.1 itself.
      const n = next++ % 62_500;
      const localAddress = `127.0.${1 + Math.floor(n / 250)}.${1 + (n % 250)}`;
      return (connect as (o: net.NetConnectOpts) => net.Socket)({
        ...(options as net.TcpNetConnectOpts),
        localAddress,
      });
    }
    return (connect as (...a: unknown[]) => net.Socket)(...args);
  };
  net.connect = wrapped;
  return {
    restore: () => {
      net.connect = connect;
    },
  };
}

/** `retries` as `2 × "reason", ...`, or "none". */
export function describeRetries(retries: ReadonlyMap<string, number>): string {
  if (retries.size === 0) return 'none';
  return [...retries].map(([reason, n]) => `${n} × "${reason}"`).join(', ');
}
