/** What the relay keeper says of one relay (`KithDevice.relayStatus()`). */
export interface RelayState {
  readonly address: string;
  readonly connected: boolean;
  readonly reserved: boolean;
  readonly nextAttemptAt?: number;
  readonly lastError?: string;
}

/** The connection as the status bar tells it. */
export type ConnectionStatus =
  | { readonly state: 'offline'; readonly reason: 'browser' | 'relays'; readonly text: string }
  | { readonly state: 'connecting'; readonly relays: number; readonly text: string }
  | {
      readonly state: 'online';
      readonly connected: number;
      readonly relays: number;
      readonly peers: number;
      readonly text: string;
    };

/**
 * The truth about the connection: offline when the browser says so, or when no relay is
 * reachable and no device is connected directly; connecting while no relay has a reservation
 * yet (others cannot reach this tab); online through N of M relays otherwise.
 */
export function connectionStatus(
  browserOnline: boolean,
  relays: readonly RelayState[],
  directPeers: number,
  now: number,
  lastOnline?: number,
): ConnectionStatus {
  const status = currentStatus(browserOnline, relays, directPeers, now);
  if (status.state === 'online' || lastOnline === undefined) return status;
  return { ...status, text: `${status.text} (last online ${since(lastOnline, now)})` };
}

/** When the device was last online: the time today, else the date. */
function since(then: number, now: number): string {
  const at = new Date(then);
  return at.toDateString() === new Date(now).toDateString()
    ? at.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
    : at.toLocaleDateString();
}

function currentStatus(
  browserOnline: boolean,
  relays: readonly RelayState[],
  directPeers: number,
  now: number,
): ConnectionStatus {
  if (!browserOnline) {
    return { state: 'offline', reason: 'browser', text: 'Offline: this browser has no network' };
  }
  const reachable = relays.filter((r) => r.connected && r.reserved).length;
  if (reachable > 0) {
    const peers = directPeers > 0 ? `, ${count(directPeers, 'device')} connected` : '';
    return {
      state: 'online',
      connected: reachable,
      relays: relays.length,
      peers: directPeers,
      text: `Online through ${reachable} of ${count(relays.length, 'relay')}${peers}`,
    };
  }
  const trying = relays.some((r) => r.connected || r.nextAttemptAt === undefined);
  if (relays.length === 0 || (!trying && directPeers === 0)) {
    const next = relays
      .map((r) => r.nextAttemptAt)
      .filter((t) => t !== undefined)
      .sort((a, b) => a - b)[0];
    const retry =
      next === undefined
        ? ''
        : `; trying again in ${Math.max(1, Math.ceil((next - now) / 1000))} s`;
    const why = relays.find((r) => r.lastError !== undefined)?.lastError;
    return {
      state: 'offline',
      reason: 'relays',
      text:
        relays.length === 0
          ? 'Offline: no relay configured'
          : `Offline: no relay reachable${why === undefined ? '' : ` (${why})`}${retry}`,
    };
  }
  return {
    state: 'connecting',
    relays: relays.length,
    text: `Connecting to ${count(relays.length, 'relay')}…`,
  };
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}
