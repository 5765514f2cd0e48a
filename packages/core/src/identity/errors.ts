import { KithError } from '../errors.ts';

/** Why an identity, certificate or device list was refused. */
export type IdentityErrorCode =
  /** The bytes are not deterministic CBOR (the `cause` is the CborError). */
  | 'IDENTITY_INVALID_CBOR'
  /** A field has the wrong type or length, or a list is out of order. */
  | 'IDENTITY_MALFORMED'
  /** A format version this build does not know. */
  | 'IDENTITY_UNSUPPORTED_VERSION'
  /** A key that is not a 32-byte Ed25519 public key (or secret seed). */
  | 'IDENTITY_INVALID_KEY'
  /** A device name that is not well-formed text of at most 64 UTF-8 bytes. */
  | 'IDENTITY_INVALID_NAME'
  /** A certificate or device list whose signature does not verify. */
  | 'IDENTITY_BAD_SIGNATURE'
  /** A certificate or key that belongs to another user than the one expected. */
  | 'IDENTITY_WRONG_USER'
  /** A revoked device where only active ones may appear. */
  | 'IDENTITY_REVOKED'
  /** More devices or revocations than a device list may hold. */
  | 'IDENTITY_TOO_MANY';

/**
 * Malformed identity data given to a decode function, or a call that would build identity data
 * Kith would refuse to receive. Failed verification of incoming data is a result, not this error.
 */
export class IdentityError extends KithError<IdentityErrorCode> {
  override readonly name = 'IdentityError';
}
