import { encodeContent } from '../content/codec.ts';
import { toHex } from '../crypto/bytes.ts';
import type { RoomId } from '../ids.ts';
import type { TimelineMessage } from '../timeline/timeline-message.ts';
import { roomUri, userUri } from '../timeline/uris.ts';
import { toBase64 } from './base64.ts';

/** The name in the header line of a Kith history export. */
export const EXPORT_FORMAT = 'kith-history';
/** The export format version this code writes and reads. */
export const EXPORT_VERSION = 1;

/** The header line (docs/PROTOCOL.md §6.3). */
export interface ExportHeader {
  readonly format: typeof EXPORT_FORMAT;
  readonly version: number;
  /** The room's URI (`roomUri`): with each record's sender, it re-derives the message IDs. */
  readonly room: string;
  readonly name?: string;
  /** Records that follow. */
  readonly messages: number;
}

/** One record line: one version of one message. */
export interface ExportRecordJson {
  /** Hex of the MIMI message ID of this version. */
  readonly id: string;
  /** The sender's user URI. */
  readonly sender: string;
  /** The sender's clock, ms since the Unix epoch. */
  readonly ts: number;
  /** Base64 of the version's MIMI content in deterministic CBOR. */
  readonly content: string;
  /** On a message's first version: reaction text to the user URIs who reacted with it. */
  readonly reactions?: Record<string, string[]>;
}

/**
 * A room's history as a portable document: JSON lines, a header line, then one line per
 * message version (the original, then each edit), in timeline order. Retracted messages have
 * nothing left to export. Reactions ride on their message's first line (the reaction messages
 * themselves are not in the timeline view). Every record is checkable by anyone: its message ID
 * is the MIMI hash of its content, sender and the header's room.
 */
export function exportHistory(options: {
  readonly roomId: RoomId;
  readonly name?: string;
  readonly timeline: readonly TimelineMessage[];
}): string {
  const records: string[] = [];
  for (const m of options.timeline) {
    if (m.retracted) continue;
    const sender = userUri(m.sender);
    m.edits.forEach((v, i) => {
      const record: ExportRecordJson = {
        id: toHex(v.messageId),
        sender,
        ts: v.ts,
        content: toBase64(encodeContent(v.content)),
        ...(i === 0 && m.reactions.size > 0 ? { reactions: reactionsOf(m) } : {}),
      };
      records.push(JSON.stringify(record));
    });
  }
  const header: ExportHeader = {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    room: roomUri(options.roomId),
    ...(options.name === undefined || options.name === '' ? {} : { name: options.name }),
    messages: records.length,
  };
  return `${[JSON.stringify(header), ...records].join('\n')}\n`;
}

function reactionsOf(m: TimelineMessage): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [text, users] of m.reactions) out[text] = [...users].map(userUri);
  return out;
}
