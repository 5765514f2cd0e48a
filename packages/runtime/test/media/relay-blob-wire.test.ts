import { describe, expect, it } from 'vitest';
import { blobIdOf, encodeCbor, mailboxKeyOf } from '@kith/core';
import {
  decodeRelayBlobRequest,
  decodeRelayBlobResponse,
  encodeRelayBlobRequest,
  encodeRelayBlobResponse,
  signBlobClose,
  signBlobDelete,
  signBlobPut,
  verifyBlobRequest,
  type RelayBlobRequest,
  type RelayBlobResponse,
} from '../../src/media/relay-blob-wire.ts';

const key = mailboxKeyOf(3n, new Uint8Array(16), new Uint8Array(32).fill(4));
const other = mailboxKeyOf(3n, new Uint8Array(16), new Uint8Array(32).fill(5));
const id = blobIdOf(new Uint8Array(32).fill(6));
const blob = { id, size: 1_000_000, recordSize: 65536 };
const RELAY = '12D3KooWRelay';
const limits = {
  maxBlobBytes: 1,
  totalBytes: 2,
  freeBytes: 3,
  roomQuotaBytes: 4,
  writerQuotaBytes: 5,
  retentionMs: 6,
};

describe('the relay blob store wire', () => {
  it('round-trips every request and response', () => {
    const requests: RelayBlobRequest[] = [
      { type: 'limits' },
      {
        type: 'put',
        mailbox: key.keyPair.publicKey,
        ...blob,
        signature: signBlobPut(key, RELAY, blob),
      },
      {
        type: 'delete',
        mailbox: key.keyPair.publicKey,
        id,
        signature: signBlobDelete(key, RELAY, id),
      },
      { type: 'close', mailbox: key.keyPair.publicKey, signature: signBlobClose(key, RELAY) },
    ];
    for (const r of requests) {
      expect(decodeRelayBlobRequest(encodeRelayBlobRequest(r))).toEqual(r);
      expect(verifyBlobRequest(r, RELAY)).toBe(true);
    }
    const responses: RelayBlobResponse[] = [
      { type: 'limits', limits },
      { type: 'send', from: 7, limits },
      { type: 'held', held: 8 },
      { type: 'ok' },
      { type: 'refused', code: 'CLOSED', message: 'over' },
    ];
    for (const r of responses) {
      expect(decodeRelayBlobResponse(encodeRelayBlobResponse(r))).toEqual(r);
    }
  });

  it('verifies only the key the request names, for the relay it names, over what it names', () => {
    const put = {
      type: 'put',
      mailbox: key.keyPair.publicKey,
      ...blob,
      signature: signBlobPut(key, RELAY, blob),
    } as const;
    expect(verifyBlobRequest({ ...put, signature: signBlobPut(other, RELAY, blob) }, RELAY)).toBe(
      false,
    );
    expect(verifyBlobRequest(put, '12D3KooWOtherRelay')).toBe(false);
    expect(verifyBlobRequest({ ...put, size: put.size + 1 }, RELAY)).toBe(false);
    expect(verifyBlobRequest({ ...put, recordSize: 32768 }, RELAY)).toBe(false);
    const del = {
      type: 'delete',
      mailbox: key.keyPair.publicKey,
      id,
      signature: signBlobDelete(key, RELAY, id),
    } as const;
    expect(verifyBlobRequest({ ...del, id: blobIdOf(new Uint8Array(32)) }, RELAY)).toBe(false);
    // A close signature is not a delete signature (contexts differ).
    expect(verifyBlobRequest({ ...del, signature: signBlobClose(key, RELAY) }, RELAY)).toBe(false);
  });

  it('refuses malformed frames with a BlobError', () => {
    const bad = [
      new Uint8Array([0xff]),
      encodeCbor([2, 0]),
      encodeCbor([1, 9]),
      encodeCbor([1, 1, new Uint8Array(31), new Uint8Array(32), 1, 16, new Uint8Array(64)]),
      encodeCbor([1, 1, new Uint8Array(32), new Uint8Array(32), 1, 8, new Uint8Array(64)]),
      encodeCbor([1, 1, new Uint8Array(32), new Uint8Array(32), -1, 16, new Uint8Array(64)]),
      encodeCbor([1, 3, new Uint8Array(32)]),
      new Uint8Array(600),
    ];
    for (const frame of bad) {
      expect(() => decodeRelayBlobRequest(frame)).toThrow(
        expect.objectContaining({ code: 'BLOB_PROTOCOL' }),
      );
    }
    for (const frame of [
      encodeCbor([1, 4, 0]),
      encodeCbor([1, 3, 99, 'x']),
      encodeCbor([1, 1, 0]),
    ]) {
      expect(() => decodeRelayBlobResponse(frame)).toThrow(
        expect.objectContaining({ code: 'BLOB_PROTOCOL' }),
      );
    }
  });
});
