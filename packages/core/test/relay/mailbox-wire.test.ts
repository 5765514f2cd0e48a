import { describe, expect, it } from 'vitest';
import { encodeCbor } from '../../src/cbor/encode.ts';
import {
  decodeMailboxRequest,
  decodeMailboxResponse,
  encodeMailboxRequest,
  encodeMailboxResponse,
  type MailboxRequest,
  type MailboxResponse,
} from '../../src/relay/mailbox-wire.ts';

const mailbox = new Uint8Array(32).fill(1);
const sig = new Uint8Array(64).fill(2);

describe('the mailbox protocol encoding', () => {
  it('round-trips every request and response', () => {
    const requests: MailboxRequest[] = [
      { type: 'put', mailbox, data: new Uint8Array([9]), signature: sig },
      { type: 'fetch', mailbox, after: 7n, limit: 100, signature: sig },
      { type: 'status', mailbox },
      {
        type: 'putMany',
        mailbox,
        data: [new Uint8Array([1]), new Uint8Array([2])],
        signature: sig,
      },
    ];
    for (const q of requests) expect(decodeMailboxRequest(encodeMailboxRequest(q))).toEqual(q);
    const responses: MailboxResponse[] = [
      { type: 'ok', seq: 4n },
      { type: 'messages', messages: [{ seq: 1n, data: new Uint8Array([5]) }], more: true },
      { type: 'status', nextSeq: 10n },
      { type: 'refused', code: 'QUOTA_EXCEEDED', message: 'full' },
    ];
    for (const s of responses) expect(decodeMailboxResponse(encodeMailboxResponse(s))).toEqual(s);
  });

  it('refuses garbage, wrong key sizes, oversized fetches and version 1 with SYNC_MALFORMED', () => {
    const bad = [
      Uint8Array.from([0xff]),
      encodeMailboxRequest({ type: 'status', mailbox }).slice(0, 3),
      encodeMailboxRequest({
        type: 'put',
        mailbox: new Uint8Array(31),
        data: new Uint8Array(0),
        signature: sig,
      }),
      encodeMailboxRequest({ type: 'fetch', mailbox, after: 0n, limit: 501, signature: sig }),
      encodeMailboxRequest({ type: 'putMany', mailbox, data: [], signature: sig }),
      encodeMailboxRequest({
        type: 'putMany',
        mailbox,
        data: Array.from({ length: 65 }, () => new Uint8Array(1)),
        signature: sig,
      }),
      // A version-1 status request (by topic): refused, not misread.
      encodeCbor([1, 3, 'kith/room/abc']),
    ];
    for (const b of bad) {
      expect(() => decodeMailboxRequest(b)).toThrow(
        expect.objectContaining({ name: 'SyncError', code: 'SYNC_MALFORMED' }),
      );
    }
    // Valid requests still decode (the refusals above are not a decoder that refuses all).
    expect(decodeMailboxRequest(encodeMailboxRequest({ type: 'status', mailbox }))).toEqual({
      type: 'status',
      mailbox,
    });
  });
});
