/**
 * Timings of the ephemeral plane and of receipts. They bound what one device sends, so that a
 * room of 100 stays cheap: nothing here is one message per keystroke or per message read.
 */
export const SignalTimings = {
  /** While the user keeps typing, "typing" goes out again at most this often. */
  typingRefreshMs: 3_000,
  /** A "typing" not refreshed for this long is over (receivers' own clock). */
  typingExpiryMs: 6_000,
  /** A presence announcement is repeated at least this rarely... */
  presenceRefreshMinMs: 60_000,
  /** ...and, in a larger room, this much per member (100 members: one every 200 s). */
  presenceRefreshPerMemberMs: 2_000,
  presenceRefreshMaxMs: 15 * 60_000,
  /** An announcement holds for its refresh interval times this (a lost refresh is forgiven). */
  presenceTtlFactor: 2.5,
  /** A changed presence waits at least this long after the previous announcement. */
  presenceChangeMinMs: 2_000,
  /** Read and delivery markers are written at most once per this interval per room... */
  markerIntervalMinMs: 2_000,
  /** ...growing with the room (100 members: one write per device per 50 s at most). */
  markerIntervalPerMemberMs: 500,
  markerIntervalMaxMs: 60_000,
  /** The longest presence announcement a receiver honours (a bound on hostile values). */
  presenceTtlMaxMs: 60 * 60_000,
} as const;

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/** How often this device repeats its presence in a room of `members` devices. */
export function presenceRefreshMs(members: number): number {
  return clamp(
    members * SignalTimings.presenceRefreshPerMemberMs,
    SignalTimings.presenceRefreshMinMs,
    SignalTimings.presenceRefreshMaxMs,
  );
}

/** The least time between two marker writes of this device in a room of `members` devices. */
export function markerIntervalMs(members: number): number {
  return clamp(
    members * SignalTimings.markerIntervalPerMemberMs,
    SignalTimings.markerIntervalMinMs,
    SignalTimings.markerIntervalMaxMs,
  );
}
