import type { CborValue } from '../cbor/value.ts';
import type { ExtensionKey, MimiContent } from '../content/model.ts';

/**
 * Where an imported message came from: its author and time on the service it was imported
 * from. The importing device is the MIMI sender (it signs the entry); this is what the
 * timeline shows as "imported from @alice:example.org at <time>".
 */
export interface ImportOrigin {
  /** The original author as that service names them: `@alice:example.org`, `kith:user/...`. */
  readonly sender: string;
  /** Milliseconds since the Unix epoch, the original server's time. */
  readonly ts: number;
  /** The original author's display name, when the export had one. */
  readonly name?: string;
}

/**
 * Private-use (negative) MIMI extension keys of an imported message (docs/PROTOCOL.md §6.3).
 * Negative integers are the draft's private range: short on the wire, and no clash with keys
 * the IETF registers.
 */
export const OriginKeys = {
  /** Text: the original sender. */
  sender: -1,
  /** Unsigned integer: the original time, ms since the Unix epoch. */
  ts: -2,
  /** Text: the original sender's display name (optional). */
  name: -3,
} as const;

export function originExtensions(origin: ImportOrigin): Map<ExtensionKey, CborValue> {
  const map = new Map<ExtensionKey, CborValue>([
    [OriginKeys.sender, origin.sender],
    [OriginKeys.ts, origin.ts],
  ]);
  if (origin.name !== undefined && origin.name !== '') map.set(OriginKeys.name, origin.name);
  return map;
}

/** The origin of an imported message; undefined for content that was not imported. */
export function readOrigin(content: MimiContent): ImportOrigin | undefined {
  const other = content.extensions.other;
  if (other === undefined) return undefined;
  const sender = other.get(OriginKeys.sender);
  const ts = other.get(OriginKeys.ts);
  if (typeof sender !== 'string' || sender === '') return undefined;
  if (typeof ts !== 'number' || !Number.isSafeInteger(ts) || ts < 0) return undefined;
  const name = other.get(OriginKeys.name);
  return typeof name === 'string' && name !== '' ? { sender, ts, name } : { sender, ts };
}
