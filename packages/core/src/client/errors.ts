import { KithError } from '../errors.ts';
import type { RefusalCode } from '../room/refusal.ts';

/**
 * Why the engine refused an action: a room refusal (the user's role does not allow it) or one of
 * the codes below.
 */
export type ClientErrorCode =
  | RefusalCode
  /** No room with that ID on this device. */
  | 'UNKNOWN_ROOM'
  /** No message with that ID in the room. */
  | 'UNKNOWN_MESSAGE'
  /** A key package that does not decode or is not a Kith device's. */
  | 'BAD_KEY_PACKAGE'
  /** An argument the caller got wrong (empty text, a DM with the wrong people...). */
  | 'INVALID_ARGUMENT'
  /** This device has left or was removed from the room. */
  | 'NOT_IN_ROOM'
  /** Stored data this device wrote does not decode: the storage is damaged. */
  | 'STORAGE_CORRUPT'
  /** The database was written by a Kith with another storage layout (`STORAGE_LAYOUT`). */
  | 'STORAGE_LAYOUT'
  /** Storage failed under an earlier step; the device must be reopened. */
  | 'STORAGE_FAILED'
  /** The client was closed. */
  | 'CLOSED';

/**
 * An action the embedding app asked for that Kith refuses. The `code` is stable for callers to
 * branch on (the role-based ones are the room's refusal codes); the message is for people.
 */
export class ClientError extends KithError<ClientErrorCode> {
  override readonly name = 'ClientError';
}
