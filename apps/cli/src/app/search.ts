import { messageText, toHex, type KithClient, type RoomId, type UserId } from '@kith/core';
import { AppError } from './app-error.ts';
import type { KithApp } from './kith-app.ts';

/** Bounds of a search: results per call, and how long a query and a snippet may be. */
const SearchLimits = {
  defaultResults: 20,
  maxResults: 100,
  maxQueryLength: 256,
  /** Characters of a message shown around the first match. */
  snippet: 160,
} as const;

/** A message that matched: where, who, when, and the text around the match. */
export interface SearchHit {
  readonly roomId: string;
  readonly roomName: string;
  readonly messageId: string;
  readonly sender: UserId;
  readonly senderName: string;
  /** Milliseconds since the Unix epoch, as the sender stamped it. */
  readonly ts: number;
  /** The message on one line, cut to the part around the first match. */
  readonly text: string;
}

/** `search` of the daemon and the chat: one room of the app (by ID), or every room it lists. */
export function searchRooms(
  app: KithApp,
  query: string,
  options: { readonly roomId?: string | undefined; readonly limit?: number | undefined } = {},
): SearchHit[] {
  const rooms = options.roomId === undefined ? app.rooms() : [app.room(options.roomId)];
  return searchMessages(app.node.client, (u) => app.nameOf(u), query, {
    roomIds: rooms.map((r) => r.roomId as RoomId),
    limit: options.limit,
  });
}

/**
 * Searches the messages this device holds decrypted, newest first, case-insensitively (and
 * alike for compatibility forms of a character: NFKC). It reads the timelines the engine keeps,
 * so retracted, expired and blocked users' messages are never found, with no index to purge.
 */
function searchMessages(
  client: KithClient,
  nameOf: (user: UserId) => string,
  query: string,
  options: { readonly roomIds: readonly RoomId[]; readonly limit?: number | undefined },
): SearchHit[] {
  const needle = fold(query.trim());
  if (needle === '') throw new AppError('INVALID_PARAMS', 'give something to search for');
  if (needle.length > SearchLimits.maxQueryLength) {
    throw new AppError(
      'INVALID_PARAMS',
      `a search is at most ${SearchLimits.maxQueryLength} characters`,
    );
  }
  const limit = Math.min(options.limit ?? SearchLimits.defaultResults, SearchLimits.maxResults);
  const hits: SearchHit[] = [];
  for (const roomId of options.roomIds) {
    const roomName = client.room(roomId).name;
    const timeline = client.timeline(roomId);
    // Newest first, and no more from one room than the whole answer can hold.
    let found = 0;
    for (let i = timeline.length - 1; i >= 0 && found < limit; i--) {
      const m = timeline[i];
      if (m === undefined || m.retracted) continue;
      const text = messageText(m.content);
      const at = fold(text).indexOf(needle);
      if (at === -1) continue;
      found++;
      hits.push({
        roomId,
        roomName,
        messageId: toHex(m.messageId),
        sender: m.sender,
        senderName:
          m.imported === undefined ? nameOf(m.sender) : (m.imported.name ?? m.imported.sender),
        ts: m.imported?.ts ?? m.ts,
        text: snippet(text, at, needle.length),
      });
    }
  }
  return hits.sort((a, b) => b.ts - a.ts).slice(0, limit);
}

/** Case and compatibility forms folded away, for matching. */
function fold(text: string): string {
  return text.normalize('NFKC').toLocaleLowerCase();
}

/**
 * The message on one line, cut around the match. The position comes from the folded text;
 * folding rarely changes a length, and a cut a few characters off still shows the match.
 */
function snippet(text: string, at: number, length: number): string {
  const line = text.replace(/\s+/gu, ' ').trim();
  const max = SearchLimits.snippet;
  if (line.length <= max) return line;
  const start = Math.max(0, Math.min(at - Math.floor((max - length) / 2), line.length - max));
  const cut = line.slice(start, start + max);
  return `${start > 0 ? '…' : ''}${cut}${start + max < line.length ? '…' : ''}`;
}
