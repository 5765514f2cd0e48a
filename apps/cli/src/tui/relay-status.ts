import type { RelayStatus } from '@kith/node';
import type { StatusInfo } from './state.ts';

/** The relays part of the status line, from the device's own view of each relay. */
export class RelayStatusReader {
  readonly #read: () => readonly RelayStatus[];
  readonly #now: () => number;
  /** Relays connected at the last read. */
  #up = 0;

  constructor(read: () => readonly RelayStatus[], now: () => number) {
    this.#read = read;
    this.#now = now;
  }

  /**
   * Connected of how many, and while none is, how long until the next attempt. `reconnected`
   * says more relays are connected than at the last read: a network warning is then stale.
   */
  read(): {
    status: Pick<StatusInfo, 'relays' | 'relaysUp' | 'relayRetryInMs'>;
    reconnected: boolean;
  } {
    const relays = this.#read();
    const up = relays.filter((r) => r.connected).length;
    const reconnected = up > this.#up;
    this.#up = up;
    const waits = relays.flatMap((r) => (r.nextAttemptAt === undefined ? [] : [r.nextAttemptAt]));
    const retry = up === 0 && waits.length > 0 ? Math.min(...waits) - this.#now() : undefined;
    return {
      status: {
        relays: relays.length,
        relaysUp: up,
        ...(retry === undefined ? {} : { relayRetryInMs: Math.max(0, retry) }),
      },
      reconnected,
    };
  }
}
