import type { Libp2p, PeerId } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import { joinKey, keyPrefix, type KvStore } from '@kith/core';

const PEERS = ['node', 'peer'] as const;
const OWN = joinKey('node', 'listen');
/** Devices remembered; beyond this, new ones are not written (old ones stay useful). */
const MAX_PEERS = 2000;

/**
 * Where devices were last seen, kept across restarts (libp2p's peer store lives in memory): a
 * device that restarts can dial its fellow members again without asking anyone. Also this
 * device's own listening ports, reused on restart so that others' records of it stay right.
 */
export class AddressBook {
  readonly #kv: KvStore;
  readonly #known = new Map<string, string>();

  constructor(kv: KvStore) {
    this.#kv = kv;
  }

  /** Puts every remembered address into libp2p's peer store. */
  async load(libp2p: Libp2p): Promise<void> {
    for await (const [key, value] of this.#kv.entries({ prefix: keyPrefix(...PEERS) })) {
      const text = new TextDecoder().decode(value);
      const peer = key.slice(keyPrefix(...PEERS).length);
      this.#known.set(peer, text);
      const addresses = parseAll(text.split('\n'));
      if (addresses.length === 0) continue;
      try {
        await libp2p.peerStore.merge(peerIdFromString(peer), { multiaddrs: addresses });
      } catch {
        // A damaged record is only a lost hint.
      }
    }
  }

  /** Records a device's listening addresses, writing only when they changed. */
  async remember(peer: PeerId, addresses: readonly Multiaddr[]): Promise<void> {
    const key = peer.toString();
    const text = addresses
      .map((a) => a.toString())
      .sort()
      .join('\n');
    if (text === '' || this.#known.get(key) === text) return;
    if (!this.#known.has(key) && this.#known.size >= MAX_PEERS) return;
    this.#known.set(key, text);
    await this.#kv.put(joinKey(...PEERS, key), new TextEncoder().encode(text));
  }

  /** The addresses this device listened on last time (without /p2p). */
  async ownAddresses(): Promise<Multiaddr[]> {
    const value = await this.#kv.get(OWN);
    return value === undefined ? [] : parseAll(new TextDecoder().decode(value).split('\n'));
  }

  async saveOwnAddresses(addresses: readonly Multiaddr[]): Promise<void> {
    const text = addresses.map((a) => a.toString()).join('\n');
    await this.#kv.put(OWN, new TextEncoder().encode(text));
  }
}

/**
 * The listen addresses to use: each configured `/tcp/0` address takes the port this device had
 * last time for the same IP family and transport (TCP or WebSockets), so that what others
 * remember of it stays right across restarts.
 */
export function stickyListen(
  configured: readonly string[],
  previous: readonly Multiaddr[],
): string[] {
  const ports = new Map<string, string>();
  for (const p of previous) {
    const text = p.toString();
    // A circuit address names the relay's port, not this device's.
    if (text.includes('/p2p-circuit')) continue;
    const port = /\/tcp\/(\d+)/.exec(text)?.[1];
    if (port !== undefined && !ports.has(kindOf(text))) ports.set(kindOf(text), port);
  }
  return configured.map((address) => {
    if (!/\/tcp\/0(\/|$)/.test(address)) return address;
    const port = ports.get(kindOf(address));
    return port === undefined ? address : address.replace('/tcp/0', `/tcp/${port}`);
  });
}

function kindOf(address: string): string {
  const family = address.startsWith('/ip6/') ? 'ip6' : 'ip4';
  return address.includes('/ws') ? `${family}-ws` : `${family}-tcp`;
}

function parseAll(lines: readonly string[]): Multiaddr[] {
  return lines.flatMap((line) => {
    try {
      return line === '' ? [] : [multiaddr(line)];
    } catch {
      return [];
    }
  });
}
