import { sha256 } from '@noble/hashes/sha2.js';
import { ContentError } from './errors.ts';
import { encodeUtf8 } from './text.ts';

declare const messageIdBrand: unique symbol;

/**
 * The 32-byte ID of a MIMI content message: a hash-algorithm octet (0x01 for SHA-256) followed
 * by the first 31 bytes of the hash. Build one with `contentMessageId`, or check foreign bytes
 * with `asMessageId`.
 */
export type MessageId = Uint8Array & { readonly [messageIdBrand]: true };

/** Bytes in a message ID: one hash-algorithm octet and 31 bytes of the hash. */
export const MESSAGE_ID_LENGTH = 32;
/** The IANA Named Information hash algorithm ID of SHA-256, the only one MIMI content uses. */
const SHA256_HASH_ID = 0x01;
const SALT_LENGTH = 16;
const MAX_URI_BYTES = 0xffff;

/** Checks that `bytes` is a well-formed message ID (any other value throws a ContentError). */
export function asMessageId(bytes: Uint8Array, path = 'messageId'): MessageId {
  if (bytes.length !== MESSAGE_ID_LENGTH) {
    throw new ContentError(
      'CONTENT_INVALID_MESSAGE_ID',
      path,
      `a message ID is ${MESSAGE_ID_LENGTH} bytes, got ${bytes.length}`,
    );
  }
  if (bytes[0] !== SHA256_HASH_ID) {
    throw new ContentError(
      'CONTENT_INVALID_MESSAGE_ID',
      path,
      `unknown hash algorithm ${bytes[0] ?? 0} in message ID (only 1, SHA-256, is defined)`,
    );
  }
  return bytes as MessageId;
}

/**
 * The message ID of an encoded MIMI content message (draft-ietf-mimi-content, "Message ID"):
 * `0x01 || SHA-256(u16(len sender) || sender || u16(len room) || room || content || salt)[0..30]`.
 * The salt is read from the encoding itself, which must start as every deterministic
 * encoding of a content message does: an array of 7, then a 16-byte string.
 */
export function contentMessageId(
  encoded: Uint8Array,
  senderUri: string,
  roomUri: string,
): MessageId {
  if (encoded.length < 2 + SALT_LENGTH || encoded[0] !== 0x87 || encoded[1] !== 0x50) {
    throw new ContentError(
      'CONTENT_MALFORMED',
      '',
      'not an encoded MIMI content message (expected an array of 7 starting with a 16-byte salt)',
    );
  }
  const salt = encoded.subarray(2, 2 + SALT_LENGTH);
  const hash = sha256
    .create()
    .update(lengthPrefixed(senderUri, 'senderUri'))
    .update(lengthPrefixed(roomUri, 'roomUri'))
    .update(encoded)
    .update(salt)
    .digest();
  const id = new Uint8Array(MESSAGE_ID_LENGTH);
  id[0] = SHA256_HASH_ID;
  id.set(hash.subarray(0, MESSAGE_ID_LENGTH - 1), 1);
  return id as MessageId;
}

function lengthPrefixed(uri: string, path: string): Uint8Array {
  const bytes = encodeUtf8(uri, path);
  if (bytes.length > MAX_URI_BYTES) {
    throw new ContentError(
      'CONTENT_OUT_OF_RANGE',
      path,
      `a URI in a message ID is at most ${MAX_URI_BYTES} bytes`,
    );
  }
  const out = new Uint8Array(2 + bytes.length);
  out[0] = bytes.length >>> 8;
  out[1] = bytes.length & 0xff;
  out.set(bytes, 2);
  return out;
}
