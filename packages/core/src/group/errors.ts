import { KithError } from '../errors.ts';

/** Why an MLS group could not be loaded or joined. */
export type GroupErrorCode =
  /** Stored group state that does not decode: the storage is damaged. */
  | 'GROUP_STATE_CORRUPT'
  /** A Welcome or key package that cannot be used. */
  | 'GROUP_BAD_INVITATION';

/**
 * Stored group state or an invitation that cannot be used (not a protocol outcome: those are
 * results).
 */
export class GroupError extends KithError<GroupErrorCode> {
  override readonly name = 'GroupError';
}
