import { KithError } from '../errors.ts';

export type SyncErrorCode = 'SYNC_MALFORMED';

/** A frame or payload from another device that does not decode. */
export class SyncError extends KithError<SyncErrorCode> {
  override readonly name = 'SyncError';
}
