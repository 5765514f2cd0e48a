import { KithError } from '../errors.ts';

/**
 * What was wrong with a CBOR value or input: truncated or trailing bytes, a non-deterministic
 * encoding (RFC 8949 §4.2.1), a duplicate map key, bad UTF-8, a type MIMI does not allow, nesting
 * too deep, or a value out of range.
 */
export type CborErrorCode =
  | 'CBOR_TRUNCATED'
  | 'CBOR_TRAILING_BYTES'
  | 'CBOR_NOT_DETERMINISTIC'
  | 'CBOR_DUPLICATE_KEY'
  | 'CBOR_INVALID_UTF8'
  | 'CBOR_UNSUPPORTED'
  | 'CBOR_TOO_DEEP'
  | 'CBOR_INVALID_VALUE';

/** Thrown by `encodeCbor` and `decodeCbor` for any value or input they refuse. */
export class CborError extends KithError<CborErrorCode> {
  override readonly name = 'CborError';
  /** Byte offset in the decoder's input where the offending data item starts; undefined when encoding. */
  readonly offset: number | undefined;

  constructor(
    code: CborErrorCode,
    message: string,
    offset?: number,
    options?: { cause?: unknown },
  ) {
    super(code, offset === undefined ? message : `${message} (at byte offset ${offset})`, options);
    this.offset = offset;
  }
}
