import {
  MailboxLimits,
  verifyMailboxAuthorization,
  verifyMailboxPut,
  verifyMailboxPutMany,
  verifyMailboxRead,
  type MailboxRequest,
  type MailboxResponse,
} from '@kith/core';

/** What happened, for the relay's metrics. */
export type MailboxOutcome =
  | { readonly kind: 'stored'; readonly bytes: number; readonly messages: number }
  | { readonly kind: 'served'; readonly messages: number }
  | { readonly kind: 'refused'; readonly reason: string }
  | { readonly kind: 'other' };

/**
 * The checks that need no stored state (sizes, signatures under the request's own key), made
 * as the request arrives; whether that key may use the topic is decided in turn, in the store.
 */
export function checkSignatures(
  request: MailboxRequest,
): { response: MailboxResponse; outcome: MailboxOutcome } | undefined {
  switch (request.type) {
    case 'authorize': {
      const next = { epoch: request.epoch, publicKey: request.publicKey };
      return verifyMailboxAuthorization(request.by, request.topic, next, request.signature)
        ? undefined
        : refused('UNAUTHORIZED', 'the authorization signature does not verify');
    }
    case 'put':
    case 'putMany': {
      const data = request.type === 'put' ? [request.data] : request.data;
      if (data.some((d) => d.length > MailboxLimits.maxDataBytes)) {
        return refused('TOO_LARGE', `a message is at most ${MailboxLimits.maxDataBytes} bytes`);
      }
      const verifies =
        request.type === 'put'
          ? verifyMailboxPut(request.publicKey, request.topic, request.data, request.signature)
          : verifyMailboxPutMany(request.publicKey, request.topic, request.data, request.signature);
      return verifies ? undefined : refused('UNAUTHORIZED', 'the put signature does not verify');
    }
    case 'fetch':
      return verifyMailboxRead(request.publicKey, request.topic, request.after, request.signature)
        ? undefined
        : refused('UNAUTHORIZED', 'the read signature does not verify');
    case 'status':
      return undefined;
  }
}

/** A refusal, as the response and as the outcome the metrics count. */
export function refused(
  code: Extract<MailboxResponse, { type: 'refused' }>['code'],
  message: string,
): { response: MailboxResponse; outcome: MailboxOutcome } {
  return {
    response: { type: 'refused', code, message },
    outcome: { kind: 'refused', reason: code },
  };
}
