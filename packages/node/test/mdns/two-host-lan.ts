import { spawnSync } from 'node:child_process';

/**
 * Two hosts on one Ethernet segment, made of network namespaces joined by a veth pair. Loopback
 * carries no multicast, so mDNS between two processes needs a link like this.
 */
export interface TwoHostLan {
  /** The namespaces, to run processes in with `ip netns exec`. */
  readonly hosts: readonly [string, string];
  /** Each host's IPv4 address on the link, in the same order. */
  readonly addresses: readonly [string, string];
}

const SUBNET = '10.213.0';
const LINK = 'veth0';

/** Runs `ip`; throws with its stderr (or why it could not start) when it fails. */
function ip(...args: string[]): void {
  const result = spawnSync('ip', args, { encoding: 'utf8' });
  if (result.error !== undefined) {
    const missing = (result.error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new Error(missing ? "iproute2's `ip` is not installed" : result.error.message);
  }
  if (result.status !== 0) {
    throw new Error(`\`ip ${args.join(' ')}\` failed: ${result.stderr.trim()}`);
  }
}

/** Why this machine cannot make namespaced LANs (undefined if it can), found by trying. */
export function whyNoLan(): string | undefined {
  if (process.platform !== 'linux') {
    return `network namespaces are Linux-only, this is ${process.platform}`;
  }
  if (process.getuid?.() !== 0) return 'not root: creating network namespaces needs root';
  const probe = `kith-probe-${process.pid}`;
  try {
    ip('netns', 'add', probe);
    ip('-n', probe, 'link', 'add', 'p0', 'type', 'veth', 'peer', 'name', 'p1');
    return undefined;
  } catch (error) {
    return `cannot use \`ip netns\`: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    deleteNamespace(probe);
  }
}

/**
 * Creates the two namespaces, named after `tag` (make it unique per run, e.g. with the pid).
 * `created` collects each namespace as soon as it exists, so a caller can delete them even when
 * a later step throws.
 */
export function createLan(tag: string, created: string[]): TwoHostLan {
  const hosts = [`kith-${tag}-a`, `kith-${tag}-b`] as const;
  const addresses = [`${SUBNET}.1`, `${SUBNET}.2`] as const;
  for (const host of hosts) {
    ip('netns', 'add', host);
    created.push(host);
  }
  // Made inside the namespaces, so the link's names never meet the host's own interfaces.
  ip('-n', hosts[0], 'link', 'add', LINK, 'type', 'veth', 'peer', 'name', LINK, 'netns', hosts[1]);
  hosts.forEach((host, i) => {
    ip('-n', host, 'addr', 'add', `${addresses[i] ?? ''}/24`, 'dev', LINK);
    ip('-n', host, 'link', 'set', 'dev', LINK, 'multicast', 'on');
    ip('-n', host, 'link', 'set', 'dev', LINK, 'up');
    ip('-n', host, 'link', 'set', 'dev', 'lo', 'up');
    // multicast-dns sends with IP_MULTICAST_IF = 0.0.0.0, which leaves the choice to the
    // routing table; a namespace has no default route, so without this every query fails
    // with ENETUNREACH (silently: the library ignores send errors).
    ip('-n', host, 'route', 'add', '224.0.0.0/4', 'dev', LINK);
  });
  return { hosts, addresses };
}

/**
 * Deletes a namespace, and so the link (a veth pair dies with either end). Returns why it could
 * not, if it could not; a namespace that is already gone is not an error.
 */
export function deleteNamespace(name: string): string | undefined {
  const result = spawnSync('ip', ['netns', 'del', name], { encoding: 'utf8' });
  if (result.error !== undefined) return `cannot delete namespace ${name}: ${result.error.message}`;
  if (result.status === 0 || result.stderr.includes('No such file')) return undefined;
  return `cannot delete namespace ${name}: ${result.stderr.trim()}`;
}
