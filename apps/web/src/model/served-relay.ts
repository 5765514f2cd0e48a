/**
 * The relay that served this page (`kith-relay --web`): it publishes its addresses at
 * ./kith-relays.json, and the page uses it by default. Any other web server answers 404 (or the
 * page itself), which leaves the choice to the person.
 */
export async function servedRelay(): Promise<string | undefined> {
  let addresses: unknown;
  try {
    const response = await fetch('./kith-relays.json', { cache: 'no-store' });
    if (!response.ok || !(response.headers.get('content-type') ?? '').includes('json'))
      return undefined;
    addresses = ((await response.json()) as { relays?: unknown }).relays;
  } catch {
    return undefined;
  }
  if (!Array.isArray(addresses)) return undefined;
  return pickAddress(
    addresses.filter((a): a is string => typeof a === 'string'),
    location.hostname,
    location.protocol === 'https:',
  );
}

/**
 * One address of the relay (it lists one per interface, and each would count as a relay): a
 * secure WebSockets one from a page on https, else any WebSockets one; the one on the host the
 * page was opened by first, as that host is the one known to reach the relay.
 */
export function pickAddress(
  addresses: readonly string[],
  hostname: string,
  secure: boolean,
): string | undefined {
  const usable = addresses.filter(
    (a) => a.includes('/p2p/') && (a.includes('/tls/ws') || a.includes('/wss') || !secure),
  );
  const host = hostname.replace(/^\[(.*)\]$/, '$1');
  return usable.find((a) => a.split('/')[2] === host) ?? usable[0];
}
