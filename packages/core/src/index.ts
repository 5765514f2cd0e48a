// @kith/core: the runtime-agnostic core of Kith. Everything public is exported here by name.

export { KithError } from './errors.ts';

// CBOR (RFC 8949, deterministic encoding)
export { decodeCbor } from './cbor/decode.ts';
export { encodeCbor } from './cbor/encode.ts';
export { CborError, type CborErrorCode } from './cbor/errors.ts';
export {
  CborFloat,
  CborSimple,
  CborTag,
  type CborKey,
  type CborMap,
  type CborValue,
} from './cbor/value.ts';

// MIMI content (draft-ietf-mimi-content) and message status (draft-mahy-mimi-message-status)
export {
  attachmentMessage,
  edit,
  expiresAfterReading,
  expiresAt,
  markdownMessage,
  message,
  reaction,
  reply,
  retraction,
  textMessage,
  threadMessage,
  unreaction,
  type DerivedMessageOptions,
  type MessageOptions,
  type MessageRef,
} from './content/builders.ts';
export { decodeContent, encodeContent } from './content/codec.ts';
export {
  decodeDerivedValues,
  encodeDerivedValues,
  type ExtendedTime,
  type MessageDerivedValues,
} from './content/derived-values.ts';
export { ContentError, type ContentErrorCode } from './content/errors.ts';
export { ContentLimits } from './content/limits.ts';
export { escapeHtmlTags, findMentions, mention, type Mention } from './content/markdown.ts';
export {
  asMessageId,
  contentMessageId,
  MESSAGE_ID_LENGTH,
  type MessageId,
} from './content/message-id.ts';
export {
  Disposition,
  ExtensionKeys,
  type ContentExtensions,
  type Expiration,
  type ExtensionKey,
  type ExternalPart,
  type MimiContent,
  type MultiPart,
  type NestedPart,
  type NullPart,
  type PartSemantics,
  type SinglePart,
} from './content/model.ts';
export {
  externalPart,
  markdownPart,
  MediaTypes,
  multiPart,
  nullPart,
  partByContentId,
  partsInIndexOrder,
  textPart,
  type ExternalContent,
  type PartOptions,
} from './content/parts.ts';
export {
  decodeStatusReport,
  encodeStatusReport,
  MESSAGE_STATUS_MEDIA_TYPE,
  MessageStatus,
  type MessageStatusReport,
  type PerMessageStatus,
} from './content/status.ts';
