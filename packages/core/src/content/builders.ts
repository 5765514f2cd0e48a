import type { CborValue } from '../cbor/value.ts';
import { ContentError } from './errors.ts';
import type { MessageId } from './message-id.ts';
import {
  Disposition,
  type Expiration,
  type ExtensionKey,
  type MimiContent,
  type NestedPart,
} from './model.ts';
import {
  externalPart,
  markdownPart,
  multiPart,
  nullPart,
  textPart,
  type ExternalContent,
} from './parts.ts';

/** What every message builder needs besides the body. */
export interface MessageOptions {
  /** 16 bytes from a cryptographically secure random source (the runtime's `random` port). */
  readonly salt: Uint8Array;
  /** Written into extension 1. */
  readonly senderUri?: string;
  /** Written into extension 2. */
  readonly roomUri?: string;
  readonly topicId?: Uint8Array;
  readonly expires?: Expiration | null;
  readonly inReplyTo?: MessageId | null;
  readonly extensions?: ReadonlyMap<ExtensionKey, CborValue>;
}

/** A message already sent or received, as edits and retractions need it. */
export interface MessageRef {
  readonly messageId: MessageId;
  readonly content: MimiContent;
}

/** Options for messages that inherit their thread, reply target and expiry from another. */
export type DerivedMessageOptions = Omit<MessageOptions, 'topicId' | 'inReplyTo' | 'expires'>;

/** Any content message; the named builders below cover what Kith sends. */
export function message(
  body: NestedPart,
  options: MessageOptions,
  replaces: MessageId | null = null,
): MimiContent {
  return {
    salt: options.salt,
    replaces,
    topicId: options.topicId ?? new Uint8Array(),
    expires: options.expires ?? null,
    inReplyTo: options.inReplyTo ?? null,
    extensions: {
      ...(options.senderUri === undefined ? {} : { senderUri: options.senderUri }),
      ...(options.roomUri === undefined ? {} : { roomUri: options.roomUri }),
      ...(options.extensions === undefined || options.extensions.size === 0
        ? {}
        : { other: options.extensions }),
    },
    body,
  };
}

/** A plain-text message (text/plain). */
export function textMessage(text: string, options: MessageOptions): MimiContent {
  return message(textPart(text), options);
}

/** A Markdown message (GFM-MIMI), with HTML tags neutralised as the draft requires. */
export function markdownMessage(markdown: string, options: MessageOptions): MimiContent {
  return message(markdownPart(markdown), options);
}

/** A message that answers `inReplyTo`. */
export function reply(
  inReplyTo: MessageId,
  body: NestedPart,
  options: MessageOptions,
): MimiContent {
  return message(body, { ...options, inReplyTo });
}

/** A message in the thread (topic) `topicId`, for example the ID of the thread's first message. */
export function threadMessage(
  topicId: Uint8Array,
  body: NestedPart,
  options: MessageOptions,
): MimiContent {
  return message(body, { ...options, topicId });
}

/**
 * A new version of `target`. It replaces the first version (so every edit names the same
 * original) and keeps the target's reply, thread and expiry: an edit changes only the body.
 */
export function edit(
  target: MessageRef,
  body: NestedPart,
  options: DerivedMessageOptions,
): MimiContent {
  return message(body, inherited(target, options, true), firstVersion(target));
}

/** Retracts (deletes) `target` for everyone: an empty body that replaces its first version. */
export function retraction(target: MessageRef, options: DerivedMessageOptions): MimiContent {
  return message(nullPart(), inherited(target, options, false), firstVersion(target));
}

/** A single reaction (usually one emoji) to `target`. */
export function reaction(
  target: MessageId,
  reactionText: string,
  options: MessageOptions,
): MimiContent {
  return message(textPart(reactionText, { disposition: Disposition.reaction }), {
    ...options,
    inReplyTo: target,
  });
}

/** Takes back a reaction: the retraction of the reaction message. */
export function unreaction(
  reactionMessage: MessageRef,
  options: DerivedMessageOptions,
): MimiContent {
  if (reactionMessage.content.body.disposition !== Disposition.reaction) {
    throw new ContentError(
      'CONTENT_MALFORMED',
      'body.disposition',
      'only a reaction can be unreacted; use retraction() for other messages',
    );
  }
  return retraction(reactionMessage, options);
}

/**
 * An attachment: an encrypted blob described by an ExternalPart, with an optional Markdown
 * caption shown with it.
 */
export function attachmentMessage(
  attachment: ExternalContent,
  options: MessageOptions & { readonly caption?: string },
): MimiContent {
  const file = externalPart(attachment);
  const body =
    options.caption === undefined
      ? file
      : multiPart('processAll', [markdownPart(options.caption), file]);
  return message(body, options);
}

/** Expires `seconds` after the receiver reads the message. */
export function expiresAfterReading(seconds: number): Expiration {
  return { relative: true, time: seconds };
}

/** Expires at an absolute time, in seconds since the UNIX epoch. */
export function expiresAt(epochSeconds: number): Expiration {
  return { relative: false, time: epochSeconds };
}

function firstVersion(target: MessageRef): MessageId {
  return target.content.replaces ?? target.messageId;
}

function inherited(
  target: MessageRef,
  options: DerivedMessageOptions,
  keepExpiry: boolean,
): MessageOptions {
  return {
    ...options,
    topicId: target.content.topicId,
    inReplyTo: target.content.inReplyTo,
    expires: keepExpiry ? target.content.expires : null,
  };
}
