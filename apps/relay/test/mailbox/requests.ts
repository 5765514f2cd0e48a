import {
  mailboxKeyOf,
  signMailboxPut,
  signMailboxPutMany,
  signMailboxRead,
  type MailboxKey,
  type MailboxRequest,
} from '@kith/core';

/** The peer ID the in-process stores of these tests answer as. */
export const RELAY = '12D3KooWRelayUnderTest';

/** A mailbox key made from a fill byte: what anyone can mint, member or not. */
export const minted = (epoch: bigint, fill: number): MailboxKey =>
  mailboxKeyOf(epoch, new Uint8Array(16).fill(fill), new Uint8Array(32).fill(fill));

export const put = (k: MailboxKey, data: Uint8Array, relay = RELAY): MailboxRequest => ({
  type: 'put',
  mailbox: k.keyPair.publicKey,
  data,
  signature: signMailboxPut(k, relay, data),
});

export const putMany = (k: MailboxKey, data: Uint8Array[], signer = k): MailboxRequest => ({
  type: 'putMany',
  mailbox: k.keyPair.publicKey,
  data,
  signature: signMailboxPutMany(signer, RELAY, data),
});

export const fetch = (k: MailboxKey, after = 0n, limit = 100, relay = RELAY): MailboxRequest => ({
  type: 'fetch',
  mailbox: k.keyPair.publicKey,
  after,
  limit,
  signature: signMailboxRead(k, relay, after),
});

/** A request for `target`'s mailbox signed with `signer`'s key: someone without the key. */
export const forged = (request: MailboxRequest, target: MailboxKey): MailboxRequest => ({
  ...request,
  mailbox: target.keyPair.publicKey,
});

export const bytes = (n: number, size = 10): Uint8Array => new Uint8Array(size).fill(n);
