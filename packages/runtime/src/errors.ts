import { KithError } from '@kith/core';

/** Why a device (`KithNode` or `KithBrowser`) refused or failed an action. */
export type DeviceErrorCode =
  /** Another process holds the data directory's lock. */
  | 'DATA_DIR_IN_USE'
  /** The data directory cannot be created, read or written. */
  | 'DATA_DIR_UNUSABLE'
  /** No contact is known for that user: add their contact link first. */
  | 'UNKNOWN_CONTACT'
  /** None of a user's devices could be reached now. */
  | 'UNREACHABLE'
  /** A multiaddr that is malformed or does not name a Kith device. */
  | 'BAD_ADDRESS'
  /** A device answered a key-package request with something that is not its own key package. */
  | 'BAD_KEY_PACKAGE'
  /** A relay refused to keep something (its quota, its rate limit): the message says which. */
  | 'RELAY_REFUSED'
  /** A backup needs the user key, and this device (a linked one) does not hold it. */
  | 'NO_USER_KEY'
  /** A device link was refused (the message says why: unknown, used, expired, declined...). */
  | 'LINK_REFUSED'
  /** A device link could not be completed (unreachable, or the other end did not prove it). */
  | 'LINK_FAILED'
  /** This device was revoked by another device of its user: it no longer opens. */
  | 'DEVICE_REVOKED'
  /** The device was closed. */
  | 'CLOSED';

/** An error of a device on any runtime (Node or browser), with a message that says what to do. */
export class DeviceError extends KithError<DeviceErrorCode> {
  override readonly name = 'DeviceError';
}

/** The message of an error of any kind, for messages that say what went wrong underneath. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
