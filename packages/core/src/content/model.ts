import type { CborKey, CborValue } from '../cbor/value.ts';
import type { MessageId } from './message-id.ts';

/**
 * A MIMI content message (draft-ietf-mimi-content, wire format of draft -08): the body of
 * every Kith message. Field names follow the draft, except that `nestedPart` is called `body`.
 */
export interface MimiContent {
  /** 16 cryptographically random bytes; they make the message ID unique. */
  readonly salt: Uint8Array;
  /** The message this one edits or retracts (the ID of its first version). */
  readonly replaces: MessageId | null;
  /** Groups messages into a thread or topic; empty for none. */
  readonly topicId: Uint8Array;
  readonly expires: Expiration | null;
  readonly inReplyTo: MessageId | null;
  readonly extensions: ContentExtensions;
  readonly body: NestedPart;
}

/** When a message expires (MIMI `expires`): at a time, or some seconds after it is read. */
export interface Expiration {
  /** True: `time` is seconds after the receiver reads the message. False: seconds since the UNIX epoch. */
  readonly relative: boolean;
  /** Unsigned 32-bit. */
  readonly time: number;
}

/** Keys of the extensions map: registered positive integers, private negative integers and text. */
export type ExtensionKey = Exclude<CborKey, Uint8Array>;

/** The content's extensions map, with the registered keys Kith uses by name. */
export interface ContentExtensions {
  /** Extension 1: the sender as a MIMI participant URI. */
  readonly senderUri?: string;
  /** Extension 2: the room URI. */
  readonly roomUri?: string;
  /** Every other extension, by key. Absent when there are none. */
  readonly other?: ReadonlyMap<ExtensionKey, CborValue>;
}

/** Registered extension keys. */
export const ExtensionKeys = { senderUri: 1, roomUri: 2 } as const;

/**
 * How a part is meant to be presented. Values 9..255 are unknown and are treated as `render`;
 * values registered later may be added here.
 */
export const Disposition = {
  unspecified: 0,
  render: 1,
  reaction: 2,
  profile: 3,
  inline: 4,
  icon: 5,
  attachment: 6,
  session: 7,
  preview: 8,
} as const;

/** How a multipart's parts relate: alternatives to choose one of, one unit, or each to process. */
export type PartSemantics = 'chooseOne' | 'singleUnit' | 'processAll';

interface PartHeader {
  /** 0..255, see `Disposition`. */
  readonly disposition: number;
  /** Empty, or a comma-separated list of RFC 5646 language tags. */
  readonly language: string;
}

/** No content: a retraction, or an unreaction. */
export interface NullPart extends PartHeader {
  readonly kind: 'null';
}

/** Content carried in the message itself (text, Markdown, a small image). */
export interface SinglePart extends PartHeader {
  readonly kind: 'single';
  /** A media type with parameters, e.g. `text/plain;charset=utf-8`. */
  readonly contentType: string;
  readonly content: Uint8Array;
}

/** Content stored elsewhere (an attachment blob, a conference URL), encrypted with its own key. */
export interface ExternalPart extends PartHeader {
  readonly kind: 'external';
  readonly contentType: string;
  readonly url: string;
  /** Seconds since the UNIX epoch after which the content is gone; 0 for never. */
  readonly expires: number;
  /** Size of the content in bytes; 0 if not given. */
  readonly size: number;
  /** IANA AEAD algorithm number (1 = AES-128-GCM), or 0 for unencrypted content. */
  readonly encAlg: number;
  readonly key: Uint8Array;
  readonly nonce: Uint8Array;
  readonly aad: Uint8Array;
  /** IANA Named Information hash algorithm (1 = SHA-256), or 0 for no hash. */
  readonly hashAlg: number;
  readonly contentHash: Uint8Array;
  readonly description: string;
  readonly filename: string;
}

/** Several parts that together make the body (a caption with an attachment, alternatives). */
export interface MultiPart extends PartHeader {
  readonly kind: 'multi';
  readonly semantics: PartSemantics;
  /** At least two parts. */
  readonly parts: readonly NestedPart[];
}

/** A message body: nothing, inline content, external content, or several parts. */
export type NestedPart = NullPart | SinglePart | ExternalPart | MultiPart;
