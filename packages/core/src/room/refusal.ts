/**
 * Why the room refuses a change. Refusals are results, not exceptions: every honest member
 * reaches the same one for the same change, and the API hands it to the user as is.
 */
export type RefusalCode =
  /** The actor's role lacks the capability. */
  | 'NOT_ALLOWED'
  /** The actor is not a participant of the room. */
  | 'NOT_A_MEMBER'
  /** The user is banned from the room and must be unbanned first. */
  | 'BANNED'
  /** A DM has exactly two users. */
  | 'DM_FIXED'
  /** The room would be left without an owner. */
  | 'NO_OWNER_LEFT'
  /** The change breaks the room's structure (unknown role, devices out of step with users...). */
  | 'INVALID_CHANGE';

/** A refused change: a stable code to branch on and a message for people. */
export interface Refusal {
  readonly code: RefusalCode;
  readonly message: string;
}

/** Makes a refusal. */
export function refuse(code: RefusalCode, message: string): Refusal {
  return { code, message };
}
