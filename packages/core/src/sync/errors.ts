import { KithError } from '../errors.ts';

/** Why a frame or payload from another device was refused (it does not decode). */
export type SyncErrorCode = 'SYNC_MALFORMED';

/** A frame or payload from another device that does not decode. */
export class SyncError extends KithError<SyncErrorCode> {
  override readonly name = 'SyncError';
}
