import { KithError } from '../errors.ts';

/** Why the conversation document refused to write or read something. */
export type TimelineErrorCode =
  /** Bytes that are not a signed update, an entry envelope or a snapshot. */
  | 'TIMELINE_MALFORMED'
  /** The local device is not a member in the epoch it would write in. */
  | 'TIMELINE_NOT_MEMBER'
  /** An entry or update over the size limits (see `TimelineLimits`). */
  | 'TIMELINE_TOO_LARGE'
  /** The local device's own chain is forked: nothing it writes would be shown. */
  | 'TIMELINE_FORKED'
  /** A snapshot of another room, or of another device. */
  | 'TIMELINE_WRONG_ROOM'
  /** Lamport clocks reached 2^53 - 1 (someone inflated them). */
  | 'TIMELINE_LAMPORT_EXHAUSTED';

/**
 * A programmer error or malformed input to a decode function of the timeline. Rejected
 * updates from other members are not errors: `receive` returns a verdict.
 */
export class TimelineError extends KithError<TimelineErrorCode> {
  override readonly name = 'TimelineError';
}
