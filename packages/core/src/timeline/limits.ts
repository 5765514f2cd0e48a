/** Size and buffer limits of the data plane. Every member applies the same values. */
export const TimelineLimits = {
  /** Yjs update bytes carried by one signed update. */
  maxUpdateBytes: 256 * 1024,
  /** One encoded timeline entry (envelope with its MIMI content). */
  maxEntryBytes: 64 * 1024,
  /** One value in an author's `meta:` map (a read marker is 32 bytes). */
  maxMetaValueBytes: 4 * 1024,
  /** Signed updates waiting for a predecessor, per author and per document. */
  maxPendingPerAuthor: 256,
  maxPendingTotal: 4096,
  /** Generations are hashed as 4 bytes. */
  maxGeneration: 0xffff_ffff,
} as const;

/** Keys of an author's `meta:` map: short, lowercase, so they cannot smuggle data. */
export const META_KEY_PATTERN = /^[a-z][a-z0-9._-]{0,63}$/;

/** The `meta:` key of the read marker. */
export const READ_MARKER_KEY = 'read';
