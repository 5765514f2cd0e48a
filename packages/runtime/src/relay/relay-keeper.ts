import type { PeerId } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import { describeError, DeviceError } from '../errors.ts';
import type { DeviceLibp2p } from '../net/device-libp2p.ts';
import { Backoff } from './backoff.ts';

/** How one of this device's relays is doing, as the device's status shows it. */
export interface RelayStatus {
  /** The relay's multiaddr as configured (ends in /p2p/<peer id>). */
  readonly address: string;
  /** The relay's libp2p peer ID, as text. */
  readonly peerId: string;
  /** Connected to it now. */
  readonly connected: boolean;
  /** It holds a reservation for this device: others reach the device at `<relay>/p2p-circuit`. */
  readonly reserved: boolean;
  /** Failed attempts to reach it since it was last fine. */
  readonly failures: number;
  /** When the device tries again (ms since the epoch), while it waits. */
  readonly nextAttemptAt?: number;
  /** Why the last attempt failed. */
  readonly lastError?: string;
  /** Batches of mirrored messages it has not acknowledged, to put again when it is back. */
  readonly owed?: number;
}

/** Waits between attempts to reach a relay that is away: 1 s doubling to 30 s, with jitter. */
export const RELAY_RETRY = { firstMs: 1_000, maxMs: 30_000 } as const;
/**
 * Waits after a relay that is reachable refused a reservation (it is full): 30 s doubling to
 * 10 min. Each attempt leaves libp2p an idle listener, so a full relay is not asked often.
 */
const RELAY_REFUSED_RETRY = { firstMs: 30_000, maxMs: 10 * 60_000 } as const;
/** A dial to a relay that does not answer gives up after this long. */
const DIAL_TIMEOUT_MS = 10_000;

interface Kept {
  readonly peer: PeerId;
  readonly address: Multiaddr;
  readonly backoff: Backoff;
  readonly refusals: Backoff;
  timer: ReturnType<typeof setTimeout> | undefined;
  failures: number;
  nextAttemptAt: number | undefined;
  lastError: string | undefined;
  attempt: Promise<void> | undefined;
}

/**
 * Keeps this device connected to its relays and reserved on each: libp2p makes a configured
 * relay's reservation once and drops it for good when the connection closes (a relay restart,
 * an outage), so whenever a relay is not both connected and reserved, the keeper dials it and
 * listens on `<relay>/p2p-circuit` again, backing off while it fails (RELAY_RETRY).
 */
export class RelayKeeper {
  readonly #libp2p: DeviceLibp2p;
  readonly #relays: readonly Kept[];
  readonly #listeners: [string, () => void][] = [];
  #closed = false;

  constructor(
    libp2p: DeviceLibp2p,
    relays: readonly { peer: PeerId; address: Multiaddr }[],
    random?: () => number,
  ) {
    this.#libp2p = libp2p;
    const jitter = random === undefined ? {} : { random };
    this.#relays = relays.map(({ peer, address }) => ({
      peer,
      address,
      backoff: new Backoff({ ...RELAY_RETRY, ...jitter }),
      refusals: new Backoff({ ...RELAY_REFUSED_RETRY, ...jitter }),
      timer: undefined,
      failures: 0,
      nextAttemptAt: undefined,
      lastError: undefined,
      attempt: undefined,
    }));
    if (this.#relays.length === 0) return;
    // A relay that went away, came back, or whose reservation (and so our address) changed.
    for (const type of ['peer:disconnect', 'peer:identify', 'self:peer:update']) {
      const listener = (): void => {
        this.#checkAll();
      };
      libp2p.addEventListener(type as 'peer:disconnect', listener);
      this.#listeners.push([type, listener]);
    }
    this.#checkAll();
  }

  /** Every relay: connected or not, reserved or not, and when the next attempt is. */
  status(): RelayStatus[] {
    return this.#relays.map((r) => ({
      address: r.address.toString(),
      peerId: r.peer.toString(),
      connected: this.#connected(r),
      reserved: this.#reserved(r),
      failures: r.failures,
      ...(r.nextAttemptAt === undefined ? {} : { nextAttemptAt: r.nextAttemptAt }),
      ...(r.lastError === undefined ? {} : { lastError: r.lastError }),
    }));
  }

  close(): void {
    this.#closed = true;
    for (const [type, listener] of this.#listeners) {
      this.#libp2p.removeEventListener(type as 'peer:disconnect', listener);
    }
    for (const r of this.#relays) this.#cancelTimer(r);
  }

  #checkAll(): void {
    for (const r of this.#relays) {
      if (this.#fine(r)) {
        this.#succeeded(r);
        this.#cancelTimer(r);
      } else if (r.timer === undefined && r.attempt === undefined) {
        this.#schedule(r, r.backoff);
      }
    }
  }

  #schedule(r: Kept, backoff: Backoff): void {
    if (this.#closed) return;
    const waitMs = backoff.next();
    r.nextAttemptAt = Date.now() + waitMs;
    r.timer = setTimeout(() => {
      r.timer = undefined;
      void this.#attempt(r);
    }, waitMs);
  }

  #cancelTimer(r: Kept): void {
    if (r.timer !== undefined) clearTimeout(r.timer);
    r.timer = undefined;
    r.nextAttemptAt = undefined;
  }

  /** One attempt at a time per relay: dial it if needed, then reserve if needed. */
  #attempt(r: Kept): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#cancelTimer(r);
    r.attempt ??= this.#reach(r).finally(() => {
      r.attempt = undefined;
    });
    return r.attempt;
  }

  async #reach(r: Kept): Promise<void> {
    try {
      if (!this.#connected(r)) {
        await this.#libp2p.dial(r.address, { signal: AbortSignal.timeout(DIAL_TIMEOUT_MS) });
      }
    } catch (error) {
      if (this.#closed) return;
      r.failures++;
      r.lastError = describeError(error);
      this.#schedule(r, r.backoff);
      return;
    }
    r.backoff.reset();
    if (!this.#reserved(r)) {
      // Failures are not thrown here (NO_FATAL): the addresses tell.
      await this.#libp2p.services.circuitListen
        .listen(r.address.encapsulate('/p2p-circuit'))
        .catch(() => undefined);
    }
    if (this.#closed) return;
    if (this.#reserved(r)) {
      this.#succeeded(r);
    } else {
      r.failures++;
      r.lastError = this.#connected(r)
        ? 'the relay granted no reservation (it may be full)'
        : 'the connection closed before a reservation was made';
      this.#schedule(r, this.#connected(r) ? r.refusals : r.backoff);
    }
  }

  #succeeded(r: Kept): void {
    r.backoff.reset();
    r.refusals.reset();
    r.failures = 0;
    r.lastError = undefined;
  }

  #fine(r: Kept): boolean {
    return this.#connected(r) && this.#reserved(r);
  }

  #connected(r: Kept): boolean {
    return this.#libp2p.getConnections(r.peer).some((c) => c.status === 'open' && !c.limits);
  }

  /** Whether this device has an address through the relay's circuit (its reservation). */
  #reserved(r: Kept): boolean {
    const id = r.peer.toString();
    return this.#libp2p
      .getMultiaddrs()
      .some((a) => a.toString().includes(`/p2p/${id}/p2p-circuit`));
  }
}

/** This device's relays from their multiaddrs, each of which must end in /p2p/<peer id>. */
export function parseRelays(addresses: readonly string[]): { peer: PeerId; address: Multiaddr }[] {
  return addresses.map((text) => {
    let address: Multiaddr;
    try {
      address = multiaddr(text);
    } catch (cause) {
      throw new DeviceError('BAD_ADDRESS', `relay "${text}" is not a multiaddr`, { cause });
    }
    const id = address.getComponents().find((c) => c.name === 'p2p')?.value;
    if (id === undefined) {
      throw new DeviceError('BAD_ADDRESS', `relay ${text} must end in /p2p/<peer id>`);
    }
    return { peer: peerIdFromString(id), address };
  });
}

/** A relay named by someone else (a room's member): undefined when it is malformed. */
export function relayOf(text: string): { peer: PeerId; address: Multiaddr } | undefined {
  try {
    return parseRelays([text])[0];
  } catch {
    return undefined;
  }
}
