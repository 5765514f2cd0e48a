import type { NestedPart } from '../content/model.ts';
import type { ImportOrigin } from './origin.ts';

/**
 * One thing to write into a room's history, independent of the room and of who imports it:
 * references to other items are their index in the list (always an earlier one). MIMI message
 * IDs depend on the sender and room URIs and on a fresh salt, so they are made only when the
 * items are written (`ImportMaterializer`), through a table from index to message ID.
 */
export type ImportItem =
  | {
      readonly kind: 'message';
      readonly body: NestedPart;
      readonly origin: ImportOrigin;
      /** Index of the item this one answers. */
      readonly replyTo?: number;
      /** The thread: the index of its root item, or a topic ID when the root is not imported. */
      readonly thread?: number | Uint8Array;
    }
  | {
      readonly kind: 'edit';
      readonly target: number;
      readonly body: NestedPart;
      readonly origin: ImportOrigin;
    }
  | { readonly kind: 'retraction'; readonly target: number; readonly origin: ImportOrigin }
  | {
      readonly kind: 'reaction';
      readonly target: number;
      readonly text: string;
      readonly origin: ImportOrigin;
    };

/** Why an event or record was not imported. */
export type SkipReason =
  /** Not an object, or a field missing or of the wrong type. */
  | 'malformed'
  /** Past `ImportLimits.maxEvents`. */
  | 'limit'
  /** An event type Kith does not carry over (calls, polls, custom events...). */
  | 'unsupported-type'
  /** A message type with no meaning in history (key verification requests). */
  | 'unsupported-msgtype'
  /** A Telegram service message (joins, title changes...) with no text worth keeping. */
  | 'service'
  /** Room state (membership, power levels, name...): the new room has its own. */
  | 'state'
  /** Encrypted in the export: the export holds no plaintext. */
  | 'encrypted'
  /** Redacted before the export: nothing left to show. */
  | 'redacted'
  /** An event ID seen before. */
  | 'duplicate'
  /** Refers to an event that is not in the export (or was skipped). */
  | 'unknown-target'
  /** An edit by someone other than the author (Matrix clients ignore those too). */
  | 'foreign-edit'
  /** A redaction of an edit (Matrix reverts the edit; MIMI has no way to say it). */
  | 'redacts-edit'
  /** The same reaction to the same message again (imported reactions all come from one user). */
  | 'duplicate-reaction'
  /** This device's role does not allow it in the room. */
  | 'not-allowed'
  /** The content came out larger than one timeline entry may be. */
  | 'too-large';

/** Counts of skipped input by reason. */
export type SkipCounts = Partial<Record<SkipReason, number>>;

export function countSkip(skips: SkipCounts, reason: SkipReason, n = 1): void {
  skips[reason] = (skips[reason] ?? 0) + n;
}

/** How many events or records were skipped, all reasons together. */
export function totalSkipped(skips: SkipCounts): number {
  let n = 0;
  for (const v of Object.values(skips)) n += v;
  return n;
}

/** What an export converts to: the items, what was skipped, and what it says of the room. */
export interface ImportPlan {
  readonly items: readonly ImportItem[];
  readonly skipped: SkipCounts;
  /** The room's name in the export, when it has one. */
  readonly roomName?: string;
  /** UTF-8 text cut to `ImportLimits.maxTextBytes`. */
  readonly truncated: number;
}
