import type { Multiaddr } from '@multiformats/multiaddr';

/**
 * Who a blob upload is charged to, beside its room: the network it comes from (an IPv4
 * address, an IPv6 /64), not its peer ID, which anyone mints for free. Devices behind one NAT
 * share it; a relay behind a proxy sees the proxy (docs/SECURITY.md, "Relay blob store").
 */
export function writerOf(address: Multiaddr): string {
  for (const component of address.getComponents()) {
    if (component.name === 'ip4' && component.value !== undefined) return `ip4-${component.value}`;
    if (component.name === 'ip6' && component.value !== undefined) {
      return `ip6-${prefix64(component.value)}`;
    }
  }
  return `addr${address.toString().replaceAll('/', '_')}`;
}

/** The first four groups of an IPv6 address, written out in full. */
function prefix64(text: string): string {
  const [head = '', tail] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = tail === undefined ? 0 : 8 - left.length - right.length;
  const groups = [...left, ...Array<string>(Math.max(0, missing)).fill('0'), ...right];
  return groups
    .slice(0, 4)
    .map((g) => g.padStart(4, '0').toLowerCase())
    .join(':');
}
