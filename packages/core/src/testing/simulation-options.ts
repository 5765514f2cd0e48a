import type { DeviceId } from '../ids.ts';
import type { InboundMessage } from '../ports/transport.ts';

/** How a simulated network treats each message, per receiver. */
export interface NetworkConditions {
  /** Each message takes between `minDelayMs` and `maxDelayMs` virtual ms (integers, uniform). */
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
  /**
   * Whether a message may overtake an earlier one between the same two devices. When false,
   * each link is first in, first out (as one stream is), though delays still vary.
   */
  readonly reorder: boolean;
  /** Chance that a message is lost. */
  readonly dropProbability: number;
  /** Chance that a message arrives twice (the copy with its own delay). */
  readonly duplicateProbability: number;
}

/** A network that loses nothing, in order, one virtual millisecond per hop. */
export const reliableConditions: NetworkConditions = {
  minDelayMs: 1,
  maxDelayMs: 1,
  reorder: false,
  dropProbability: 0,
  duplicateProbability: 0,
};

export function checkConditions(c: NetworkConditions): NetworkConditions {
  const { minDelayMs: min, maxDelayMs: max } = c;
  if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || min < 0 || max < min) {
    throw new RangeError(`delays must be integers with 0 <= min <= max, not ${min}..${max}`);
  }
  for (const [name, p] of [
    ['dropProbability', c.dropProbability],
    ['duplicateProbability', c.duplicateProbability],
  ] as const) {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`${name} must be within [0, 1], not ${p}`);
  }
  return c;
}

export interface SimulatedNetworkOptions extends Partial<NetworkConditions> {
  /** Seeds every random choice: the same seed and the same calls give the same run. */
  readonly seed: number;
  /** Virtual time at the start, in ms since the Unix epoch (default 2025-01-01T00:00:00Z). */
  readonly startTime?: number;
  /**
   * Lets handlers finish their asynchronous work between two deliveries of `runUntilIdle` and
   * `advance`. The default yields a bounded number of microtask turns; code that waits on
   * `process.nextTick` or real IO needs a macrotask here, e.g. `() => new Promise((r) => setImmediate(r))`.
   */
  readonly settle?: () => Promise<void>;
}

export interface SimulationStats {
  /** Messages handed to the network, one per receiver (a broadcast to three counts three). */
  readonly sent: number;
  /** Messages handed to a receiver's handlers (duplicates included). */
  readonly delivered: number;
  /** Lost at random, or undeliverable on arrival (partitioned, closed, unsubscribed). */
  readonly dropped: number;
  /** Messages sent twice by the network. */
  readonly duplicated: number;
}

export type DropReason = 'random' | 'partition' | 'closed' | 'unsubscribed';

/** What the network did, for assertions and for recording a run. */
export type TraceEvent =
  | {
      readonly type: 'deliver';
      readonly time: number;
      readonly from: DeviceId;
      readonly to: DeviceId;
      readonly message: InboundMessage;
    }
  | {
      readonly type: 'drop';
      readonly time: number;
      readonly from: DeviceId;
      readonly to: DeviceId;
      readonly reason: DropReason;
    };
