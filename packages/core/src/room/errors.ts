import { KithError } from '../errors.ts';

/** Why room state bytes were refused (they do not decode). */
export type RoomErrorCode = 'ROOM_STATE_MALFORMED';

/** Room state bytes (from a GroupContext extension) that do not decode. */
export class RoomError extends KithError<RoomErrorCode> {
  override readonly name = 'RoomError';
}
