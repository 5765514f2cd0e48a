import {
  MailboxLimits,
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
 * The checks that need no stored state, made as the request arrives: sizes, and the signature
 * of the key that names the mailbox, over this relay's peer ID (`relay`). That signature is
 * the whole of a mailbox's access control: only the members of the mailbox's epoch hold its
 * key (docs/PROTOCOL.md §12.1).
 */
export function checkSignatures(
  request: MailboxRequest,
  relay: string,
): { response: MailboxResponse; outcome: MailboxOutcome } | undefined {
  switch (request.type) {
    case 'put':
    case 'putMany': {
      const data = request.type === 'put' ? [request.data] : request.data;
      if (data.some((d) => d.length > MailboxLimits.maxDataBytes)) {
        return refused('TOO_LARGE', `a message is at most ${MailboxLimits.maxDataBytes} bytes`);
      }
      const verifies =
        request.type === 'put'
          ? verifyMailboxPut(request.mailbox, relay, request.data, request.signature)
          : verifyMailboxPutMany(request.mailbox, relay, request.data, request.signature);
      return verifies
        ? undefined
        : refused('UNAUTHORIZED', 'the put is not signed by the mailbox key for this relay');
    }
    case 'fetch':
      return verifyMailboxRead(request.mailbox, relay, request.after, request.signature)
        ? undefined
        : refused('UNAUTHORIZED', 'the read is not signed by the mailbox key for this relay');
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
