import {
  edit,
  message,
  reaction,
  retraction,
  type MessageOptions,
  type MessageRef,
} from '../content/builders.ts';
import { encodeContent } from '../content/codec.ts';
import { contentMessageId, type MessageId } from '../content/message-id.ts';
import { nullPart } from '../content/parts.ts';
import type { MimiContent } from '../content/model.ts';
import { TimelineLimits } from '../timeline/limits.ts';
import type { ImportItem, SkipReason } from './item.ts';
import { ImportLimits } from './limits.ts';
import { originExtensions } from './origin.ts';

/** Who writes the imported items where, and the salts of their message IDs. */
export interface ImportContext {
  /** The importing user's URI (`userUri`): the MIMI sender of every item. */
  readonly senderUri: string;
  /** The room's URI (`roomUri`). */
  readonly roomUri: string;
  /** 16 fresh random bytes per call (the runtime's random port). */
  readonly salt: () => Uint8Array;
}

export type Materialized =
  | {
      readonly ok: true;
      readonly bytes: Uint8Array;
      readonly messageId: MessageId;
      readonly content: MimiContent;
    }
  | { readonly ok: false; readonly reason: SkipReason };

const NO_BODY = nullPart();

/**
 * Turns import items into encoded MIMI content, in order, through the table from item index to
 * the MIMI message the import gave it: a reply names its target's message ID, an edit or a
 * retraction replaces the target's first version and keeps its reply and thread (the builders'
 * rules), a thread's topic ID is its root's message ID (as in threads Kith starts itself).
 */
export class ImportMaterializer {
  readonly #ctx: ImportContext;
  /** By item index: what later items need of it (the body dropped to save memory). */
  readonly #refs: (MessageRef | undefined)[] = [];

  constructor(context: ImportContext) {
    this.#ctx = context;
  }

  /** The content of item `index` (items must come in order, each once). */
  next(item: ImportItem, index: number): Materialized {
    const content = this.#build(item);
    if (typeof content === 'string') return this.#skip(index, content);
    let bytes: Uint8Array;
    try {
      bytes = encodeContent(content);
    } catch {
      // Content the rules refuse (a reaction text of a lone surrogate...): skipped, not sent.
      return this.#skip(index, 'malformed');
    }
    if (bytes.length > TimelineLimits.maxEntryBytes) return this.#skip(index, 'too-large');
    const messageId = contentMessageId(bytes, this.#ctx.senderUri, this.#ctx.roomUri);
    this.#refs[index] = { messageId, content: { ...content, body: NO_BODY } };
    return { ok: true, bytes, messageId, content };
  }

  /** Marks item `index` as not written (refused), so items that refer to it are skipped too. */
  drop(index: number): void {
    this.#refs[index] = undefined;
  }

  #build(item: ImportItem): MimiContent | SkipReason {
    const options: MessageOptions = {
      salt: this.#ctx.salt(),
      extensions: originExtensions(item.origin),
    };
    if (item.kind === 'message') {
      const reply = item.replyTo === undefined ? undefined : this.#refs[item.replyTo];
      let topicId: Uint8Array | undefined;
      if (item.thread instanceof Uint8Array) topicId = item.thread;
      else if (item.thread !== undefined) topicId = this.#refs[item.thread]?.messageId;
      return message(item.body, {
        ...options,
        ...(reply === undefined ? {} : { inReplyTo: reply.messageId }),
        ...(topicId === undefined ? {} : { topicId }),
      });
    }
    const target = this.#refs[item.target];
    if (target === undefined) return 'unknown-target';
    if (item.kind === 'reaction') return reaction(target.messageId, item.text, options);
    if (item.kind === 'edit') return edit(target, item.body, options);
    return retraction(target, options);
  }

  #skip(index: number, reason: SkipReason): Materialized {
    this.#refs[index] = undefined;
    return { ok: false, reason };
  }
}

/**
 * Whether an import batch (one signed update) is full. An entry is added while the batch holds
 * less than `maxBatchBytes` of content: with one entry at most `TimelineLimits.maxEntryBytes`,
 * the update stays under `TimelineLimits.maxUpdateBytes` with its envelopes.
 */
export function batchFull(entries: number, bytes: number): boolean {
  return entries >= ImportLimits.maxBatchEntries || bytes >= ImportLimits.maxBatchBytes;
}
