import { KithError } from '../errors.ts';

/** Why MIMI content (or a status report) was refused when encoding or decoding it. */
export type ContentErrorCode =
  /** The bytes are not deterministic CBOR (the `cause` is the CborError). */
  | 'CONTENT_INVALID_CBOR'
  /** A field has the wrong CBOR type, or an array the wrong number of elements. */
  | 'CONTENT_MALFORMED'
  /** A number, size or length is outside what the draft allows. */
  | 'CONTENT_OUT_OF_RANGE'
  | 'CONTENT_UNKNOWN_CARDINALITY'
  | 'CONTENT_UNKNOWN_PART_SEMANTICS'
  /** NestedParts nested more than 4 levels deep. */
  | 'CONTENT_TOO_DEEP'
  /** More than 1024 body parts. */
  | 'CONTENT_TOO_MANY_PARTS'
  /** A message ID that is not 32 bytes or names an unknown hash algorithm. */
  | 'CONTENT_INVALID_MESSAGE_ID'
  | 'CONTENT_INVALID_EXTENSION'
  | 'CONTENT_INVALID_LANGUAGE'
  | 'CONTENT_INVALID_EXTERNAL_PART'
  /** A URI without a scheme where an absolute URI is needed (a mention). */
  | 'CONTENT_INVALID_URI'
  | 'CONTENT_INVALID_TEXT';

/**
 * A MIMI content value (or message status report) that breaks draft-ietf-mimi-content.
 * `path` names the offending field, e.g. `body.parts[1].contentType`.
 */
export class ContentError extends KithError<ContentErrorCode> {
  override readonly name = 'ContentError';
  readonly path: string;

  constructor(
    code: ContentErrorCode,
    path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, path === '' ? message : `${path}: ${message}`, options);
    this.path = path;
  }
}
