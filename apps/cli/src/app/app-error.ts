import { KithError } from '@kith/core';

export type AppErrorCode =
  'INVALID_PARAMS' | 'UNKNOWN_ROOM' | 'UNKNOWN_CONTACT' | 'NO_DAEMON' | 'UNAUTHORIZED';

/** A request the app refuses before it reaches the engine (bad parameters, unknown room). */
export class AppError extends KithError<AppErrorCode> {
  override readonly name = 'AppError';
}
