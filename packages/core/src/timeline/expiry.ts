import type { MimiContent } from '../content/model.ts';

/**
 * When a message expires, in milliseconds since the UNIX epoch by the receiver's clock, or
 * undefined when it does not. MIMI's relative expiry counts from reading; Kith does not track
 * reading per message, so it counts from the sender's timestamp `ts` (docs/PROTOCOL.md §6.1).
 */
export function expiryOf(content: MimiContent, ts: number): number | undefined {
  const e = content.expires;
  if (e === null) return undefined;
  return e.relative ? ts + e.time * 1000 : e.time * 1000;
}
