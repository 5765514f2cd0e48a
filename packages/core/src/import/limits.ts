/**
 * Bounds of history import. Input comes from files the user picked but did not write, so every
 * size is bounded: a hostile export costs at most this much memory and time, and never throws.
 */
export const ImportLimits = {
  /** Events (or export records) read from one file; the rest are skipped as `limit`. */
  maxEvents: 100_000,
  /** UTF-8 bytes of one imported message's text; longer text is cut (and counted). */
  maxTextBytes: 32 * 1024,
  /** Matrix event IDs, user IDs and room IDs are at most 255 bytes (Matrix spec, "Size limits"). */
  maxIdLength: 255,
  /** A display name carried as the original sender's name. */
  maxNameLength: 128,
  /** An export file (bytes of text) parseExport accepts. */
  maxExportBytes: 256 * 1024 * 1024,
  /**
   * Encoded content bytes in one signed update of an import: half of
   * `TimelineLimits.maxUpdateBytes`, leaving room for the envelopes and their framing.
   */
  maxBatchBytes: 128 * 1024,
  /** Entries in one signed update of an import. */
  maxBatchEntries: 256,
} as const;
