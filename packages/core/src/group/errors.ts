import { KithError } from '../errors.ts';

export type GroupErrorCode =
  /** Stored group state that does not decode: the storage is damaged. */
  | 'GROUP_STATE_CORRUPT'
  /** A Welcome or key package that cannot be used. */
  | 'GROUP_BAD_INVITATION';

export class GroupError extends KithError<GroupErrorCode> {
  override readonly name = 'GroupError';
}
