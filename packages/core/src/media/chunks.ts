/** What a blob is read from: bytes in memory, or pieces of any length from a file or stream. */
export type ByteSource = Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

/** A piece of exactly the asked size, except the last (which may be shorter, or empty). */
export interface Chunk {
  readonly bytes: Uint8Array;
  readonly last: boolean;
}

/**
 * Cuts a source into chunks of `size` bytes without holding more than two of them: a full chunk
 * is given out once a later byte shows it is not the last. An empty source gives one empty last
 * chunk.
 */
export async function* chunksOf(source: ByteSource, size: number): AsyncGenerator<Chunk> {
  let pending: Uint8Array | undefined;
  let buffer = new Uint8Array(size);
  let filled = 0;
  for await (const piece of pieces(source)) {
    let offset = 0;
    while (offset < piece.length) {
      if (pending !== undefined) {
        yield { bytes: pending, last: false };
        pending = undefined;
      }
      const take = Math.min(size - filled, piece.length - offset);
      buffer.set(piece.subarray(offset, offset + take), filled);
      filled += take;
      offset += take;
      if (filled === size) {
        pending = buffer;
        buffer = new Uint8Array(size);
        filled = 0;
      }
    }
  }
  // A pending chunk means the source ended right after it (later bytes would have released it).
  yield { bytes: pending ?? buffer.slice(0, filled), last: true };
}

async function* pieces(source: ByteSource): AsyncGenerator<Uint8Array> {
  if (source instanceof Uint8Array) {
    yield source;
    return;
  }
  yield* source;
}
