import { KithError } from '../errors.ts';

/**
 * Calls refuse a step with one of these. Expected outcomes of the protocol (a frame that does
 * not decrypt, a signal from someone not in the call) are results, not errors: these are for
 * a caller asking for something that must never happen.
 */
export type CallErrorCode =
  /** A cipher suite SFrame does not define (RFC 9605 §4.5). */
  | 'SFRAME_UNKNOWN_SUITE'
  /** A base key, KID or counter out of the range the suite allows. */
  | 'SFRAME_INVALID_ARGUMENT'
  /** Every counter of a key was used: encrypting again would reuse a nonce. */
  | 'SFRAME_COUNTER_EXHAUSTED'
  /** No key for this device to encrypt with (no epoch yet, or it is not a member). */
  | 'SFRAME_NO_SEND_KEY'
  /** A call signal receivers would refuse (too large, a field out of range). */
  | 'CALL_SIGNAL_INVALID';

export class CallError extends KithError<CallErrorCode> {
  override readonly name = 'CallError';
}
