import { KithError } from '../errors.ts';

/** Why a transport could not send. */
export type TransportErrorCode =
  /** This endpoint was closed: nothing more is sent or received. */
  | 'TRANSPORT_CLOSED'
  /** No route to that device now (not connected, partitioned, or unknown). Try another peer. */
  | 'TRANSPORT_UNREACHABLE';

/** A transport refused to send. Delivery itself is best effort and never reported. */
export class TransportError extends KithError<TransportErrorCode> {
  override readonly name = 'TransportError';
}
