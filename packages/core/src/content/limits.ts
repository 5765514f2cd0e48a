/** Limits of draft-ietf-mimi-content ("Depth restrictions", "Security Considerations"). */
export const ContentLimits = {
  /** NestedParts nest at most this deep; the body is level 1. */
  maxPartDepth: 4,
  /** Body parts of all levels together, multiparts included. */
  maxParts: 1024,
  maxTopicIdBytes: 4096,
  /** Tags, maps and arrays nest at most this deep in the extensions; the extensions map is level 1. */
  maxExtensionDepth: 4,
  maxExtensionKeyBytes: 255,
  saltBytes: 16,
} as const;
