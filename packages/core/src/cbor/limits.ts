/** Containers (array, map, tag) that may enclose one another, counting the outermost as 1. */
const DEFAULT_MAX_DEPTH = 64;

/**
 * The encoder and decoder recurse once per container level, so the depth limit also bounds
 * stack use; beyond this a JS engine's stack might overflow before the limit is reached.
 */
const MAX_SUPPORTED_DEPTH = 1000;

export function resolveMaxDepth(maxDepth: number | undefined): number {
  if (maxDepth === undefined) return DEFAULT_MAX_DEPTH;
  if (!Number.isInteger(maxDepth) || maxDepth < 0 || maxDepth > MAX_SUPPORTED_DEPTH) {
    // A bad option is a programming error, not bad input, so it is not a CborError.
    throw new RangeError(
      `maxDepth must be an integer from 0 to ${MAX_SUPPORTED_DEPTH}, got ${String(maxDepth)}`,
    );
  }
  return maxDepth;
}
