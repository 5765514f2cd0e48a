/**
 * Time, passed in. Core never reads the system clock: runtimes pass `systemClock`, tests a
 * clock they advance by hand.
 */
export interface ClockPort {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/** The runtime's real clock (Date.now), for runtimes; core itself never reads it. */
export const systemClock: ClockPort = { now: () => Date.now() };
