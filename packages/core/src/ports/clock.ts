/**
 * Time, passed in. Core never reads the system clock: runtimes pass `systemClock`, tests a
 * clock they advance by hand.
 */
export interface ClockPort {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemClock: ClockPort = { now: () => Date.now() };
