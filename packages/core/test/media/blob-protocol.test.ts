import { describe, expect, it } from 'vitest';
import {
  blobIdOf,
  blobUri,
  decodeBlobRequest,
  encodeBlobRequest,
  encodeCbor,
  MemoryBlobStore,
  parseBlobUri,
} from '../../src/index.ts';

const id = blobIdOf(new Uint8Array(32).fill(0xab));

describe('blob request', () => {
  it('round-trips', () => {
    const request = { id, from: 5, count: 16 };
    expect(decodeBlobRequest(encodeBlobRequest(request))).toEqual(request);
  });

  it('refuses malformed and unbounded requests', () => {
    const hash = new Uint8Array(32);
    const bad = [
      encodeCbor([hash, 0, 0]),
      encodeCbor([hash, 0, 17]),
      encodeCbor([hash, -1, 1]),
      encodeCbor([hash, 2 ** 32, 1]),
      encodeCbor([hash.subarray(0, 31), 0, 1]),
      encodeCbor([hash, 0]),
      encodeCbor([hash, '0', 1]),
      encodeCbor(new Map([['id', hash]])),
      Uint8Array.of(0xff),
      new Uint8Array(65),
    ];
    for (const bytes of bad) {
      expect(() => decodeBlobRequest(bytes)).toThrow(
        expect.objectContaining({ code: 'BLOB_PROTOCOL' }),
      );
    }
  });
});

describe('blob URI', () => {
  it('round-trips and refuses anything else', () => {
    expect(parseBlobUri(blobUri({ id, recordSize: 262144 }))).toEqual({ id, recordSize: 262144 });
    const uri = blobUri({ id, recordSize: 64 });
    for (const other of [
      uri.replace('sha-256', 'sha-512'),
      uri.replace('?rs=64', ''),
      uri.replace('ni:///', 'ni://example.com/'),
      `${uri}0000000000`,
      uri.replace(/;./, ';!'),
    ]) {
      expect(parseBlobUri(other), other).toBeUndefined();
    }
  });
});

describe('MemoryBlobStore', () => {
  it('files staged records under the blob ID once committed', async () => {
    const store = new MemoryBlobStore();
    const staged = store.stage();
    await staged.putRecord(0, Uint8Array.of(1));
    expect(await store.info(id)).toBeUndefined();
    await staged.commit(id, 1);
    expect(await store.info(id)).toEqual({ recordCount: 1 });
    expect(await store.getRecord(id, 0)).toEqual(Uint8Array.of(1));
    await store.delete(id);
    expect(await store.getRecord(id, 0)).toBeUndefined();
  });
});
