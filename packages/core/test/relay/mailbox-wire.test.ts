import { describe, expect, it } from 'vitest';
import {
  decodeMailboxRequest,
  decodeMailboxResponse,
  encodeMailboxRequest,
  encodeMailboxResponse,
  type MailboxRequest,
  type MailboxResponse,
} from '../../src/relay/mailbox-wire.ts';

const key = new Uint8Array(32).fill(1);
const sig = new Uint8Array(64).fill(2);

describe('the mailbox protocol encoding', () => {
  it('round-trips every request and response', () => {
    const requests: MailboxRequest[] = [
      { type: 'authorize', topic: 't', epoch: 3n, publicKey: key, by: key, signature: sig },
      { type: 'put', topic: 't', publicKey: key, data: new Uint8Array([9]), signature: sig },
      { type: 'fetch', topic: 't', after: 7n, limit: 100, publicKey: key, signature: sig },
      { type: 'status', topic: 't' },
      {
        type: 'putMany',
        topic: 't',
        publicKey: key,
        data: [new Uint8Array([1]), new Uint8Array([2])],
        signature: sig,
      },
    ];
    for (const q of requests) expect(decodeMailboxRequest(encodeMailboxRequest(q))).toEqual(q);
    const responses: MailboxResponse[] = [
      { type: 'ok', seq: 4n },
      { type: 'messages', messages: [{ seq: 1n, data: new Uint8Array([5]) }], more: true },
      { type: 'status', epoch: undefined, nextSeq: 0n },
      { type: 'status', epoch: 2n, nextSeq: 10n },
      { type: 'refused', code: 'QUOTA_EXCEEDED', message: 'full' },
    ];
    for (const s of responses) expect(decodeMailboxResponse(encodeMailboxResponse(s))).toEqual(s);
  });

  it('refuses garbage, wrong key sizes and oversized fetches with SYNC_MALFORMED', () => {
    const bad = [
      Uint8Array.from([0xff]),
      encodeMailboxRequest({ type: 'status', topic: 't' }).slice(0, 3),
      encodeMailboxRequest({
        type: 'put',
        topic: 't',
        publicKey: new Uint8Array(31),
        data: new Uint8Array(0),
        signature: sig,
      }),
      encodeMailboxRequest({
        type: 'fetch',
        topic: 't',
        after: 0n,
        limit: 501,
        publicKey: key,
        signature: sig,
      }),
      encodeMailboxRequest({ type: 'status', topic: 'x'.repeat(129) }),
      encodeMailboxRequest({
        type: 'putMany',
        topic: 't',
        publicKey: key,
        data: [],
        signature: sig,
      }),
      encodeMailboxRequest({
        type: 'putMany',
        topic: 't',
        publicKey: key,
        data: Array.from({ length: 65 }, () => new Uint8Array(1)),
        signature: sig,
      }),
    ];
    for (const b of bad) {
      expect(() => decodeMailboxRequest(b)).toThrow(
        expect.objectContaining({ name: 'SyncError', code: 'SYNC_MALFORMED' }),
      );
    }
  });
});
