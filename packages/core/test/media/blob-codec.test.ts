import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BlobOpener,
  BlobSealer,
  BlobVerifier,
  blobIdOf,
  openBlob,
  webCryptoAead,
  type BlobDescriptor,
  type BlobErrorCode,
  type ByteSource,
} from '../../src/index.ts';

const R = 32;
const key = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
const nonce = Uint8Array.from({ length: 12 }, (_, i) => 0xa0 + i);

/** Element `i`, which the test knows is there. */
function at<T>(items: readonly T[], i: number): T {
  const item = items[i];
  if (item === undefined) throw new Error(`no element ${i}`);
  return item;
}

/** A copy of `bytes` with byte `index` XOR `mask`. */
function flipped(bytes: Uint8Array, index: number, mask = 1): Uint8Array {
  const copy = bytes.slice();
  copy[index] = (copy[index] ?? 0) ^ mask;
  return copy;
}

function fileOf(size: number, seed = 7): Uint8Array {
  return Uint8Array.from({ length: size }, (_, i) => (i * 31 + seed) & 0xff);
}

async function collect(source: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const piece of source) out.push(piece);
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Seals `file` fed in pieces of `piece` bytes; the records and what a message would carry. */
async function seal(file: Uint8Array, piece = 7, recordSize = R) {
  const sealer = await BlobSealer.create(webCryptoAead, { key, nonce, recordSize });
  const pieces = function* () {
    for (let i = 0; i < file.length; i += piece) yield file.subarray(i, i + piece);
  };
  const records = await collect(sealer.seal(pieces()));
  const descriptor: BlobDescriptor = {
    id: sealer.result.id,
    size: sealer.result.size,
    key,
    nonce,
    recordSize,
  };
  return { records, descriptor, sealed: sealer.result };
}

async function open(descriptor: BlobDescriptor, source: ByteSource): Promise<Uint8Array> {
  return concat(await collect(openBlob(webCryptoAead, descriptor, source)));
}

/** Feeds records one by one to a verifier; the error code, or 'ok'. */
async function verdict(descriptor: BlobDescriptor, records: readonly Uint8Array[]) {
  const verifier = new BlobVerifier(await BlobOpener.create(webCryptoAead, descriptor));
  try {
    for (const record of records) await verifier.push(record);
    verifier.finish();
    return 'ok';
  } catch (error) {
    expect(error).toMatchObject({ name: 'BlobError' });
    return (error as { code: BlobErrorCode }).code;
  }
}

describe('blob codec: round trip', () => {
  for (const size of [0, 1, R - 1, R, R + 1, 3 * R, 3 * R + 5]) {
    it(`gives back a file of ${size} bytes`, async () => {
      const file = fileOf(size);
      const { records, descriptor, sealed } = await seal(file);
      expect(sealed.recordCount).toBe(Math.max(1, Math.ceil(size / R)));
      expect(records).toHaveLength(sealed.recordCount);
      expect(sealed.cipherSize).toBe(concat(records).length);
      expect(await open(descriptor, records)).toEqual(file);
      // The ciphertext cut anywhere reads the same.
      expect(await open(descriptor, [concat(records)])).toEqual(file);
    });
  }

  it('round-trips any file fed in any pieces, read back in any pieces', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 8 * R + 3 }),
        fc.integer({ min: 1, max: 3 * R }),
        fc.integer({ min: 1, max: 3 * R }),
        fc.integer({ min: 16, max: 4 * R }),
        async (file, inPiece, outPiece, recordSize) => {
          const { records, descriptor } = await seal(file, inPiece, recordSize);
          const all = concat(records);
          const pieces = [];
          for (let i = 0; i < all.length; i += outPiece) pieces.push(all.subarray(i, i + outPiece));
          expect(await open(descriptor, pieces)).toEqual(file);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('names the blob by the SHA-256 of its ciphertext', async () => {
    const { records, descriptor } = await seal(fileOf(100));
    const { sha256 } = await import('@noble/hashes/sha2.js');
    expect(descriptor.id).toBe(blobIdOf(sha256(concat(records))));
  });

  it('never reuses a nonce: equal records encrypt to different bytes', async () => {
    const { records } = await seal(new Uint8Array(3 * R));
    const bodies = records.map((r) => Array.from(r.subarray(0, R)).join(','));
    expect(new Set(bodies).size).toBe(3);
  });

  it('gives fresh ciphertext for a fresh key, the same for the same key and nonce', async () => {
    const a = await seal(fileOf(70));
    const b = await seal(fileOf(70));
    expect(a.descriptor.id).toBe(b.descriptor.id);
    const other = await BlobSealer.create(webCryptoAead, {
      key: key.map((x) => x ^ 1),
      nonce,
      recordSize: R,
    });
    await collect(other.seal(fileOf(70)));
    expect(other.result.id).not.toBe(a.descriptor.id);
  });
});

describe('blob codec: every single-record tamper is refused', () => {
  // Whole records only (size a multiple of R): a moved record has the right length, so only
  // the index binding can catch it.
  const COUNT = 5;

  it('accepts the untouched records', async () => {
    const { records, descriptor } = await seal(fileOf(COUNT * R));
    expect(await verdict(descriptor, records)).toBe('ok');
  });

  it('refuses a flipped bit in any record', async () => {
    const { records, descriptor } = await seal(fileOf(COUNT * R + 9));
    for (let i = 0; i < records.length; i++) {
      for (const index of [0, 5, at(records, i).length - 1]) {
        const bad = records.map((r, k) => (k === i ? flipped(r, index) : r));
        expect(await verdict(descriptor, bad)).toBe('BLOB_RECORD_INVALID');
      }
    }
  });

  it('refuses any two records swapped', async () => {
    const { records, descriptor } = await seal(fileOf(COUNT * R));
    for (let i = 0; i < COUNT; i++) {
      for (let j = i + 1; j < COUNT; j++) {
        const bad = [...records];
        [bad[i], bad[j]] = [at(records, j), at(records, i)];
        expect(await verdict(descriptor, bad)).toBe('BLOB_RECORD_INVALID');
      }
    }
  });

  it('refuses a dropped record; a dropped last record is a truncation', async () => {
    const { records, descriptor } = await seal(fileOf(COUNT * R));
    for (let i = 0; i < COUNT - 1; i++) {
      const bad = records.filter((_, k) => k !== i);
      expect(await verdict(descriptor, bad)).toBe('BLOB_RECORD_INVALID');
    }
    expect(await verdict(descriptor, records.slice(0, -1))).toBe('BLOB_TRUNCATED');
    expect(await verdict(descriptor, [])).toBe('BLOB_TRUNCATED');
  });

  it('refuses a duplicated record', async () => {
    const { records, descriptor } = await seal(fileOf(COUNT * R));
    for (let i = 0; i < COUNT - 1; i++) {
      const bad = [...records.slice(0, i + 1), at(records, i), ...records.slice(i + 1)];
      expect(await verdict(descriptor, bad)).toBe('BLOB_RECORD_INVALID');
    }
    expect(await verdict(descriptor, [...records, at(records, COUNT - 1)])).toBe(
      'BLOB_TRAILING_DATA',
    );
  });

  it('refuses a record cut short or extended', async () => {
    const { records, descriptor } = await seal(fileOf(COUNT * R + 9));
    for (let i = 0; i < records.length; i++) {
      const cut = records.map((r, k) => (k === i ? r.subarray(0, r.length - 1) : r));
      expect(await verdict(descriptor, cut)).toBe('BLOB_RECORD_SIZE');
      const longer = records.map((r, k) => (k === i ? concat([r, Uint8Array.of(0)]) : r));
      expect(await verdict(descriptor, longer)).toBe('BLOB_RECORD_SIZE');
    }
  });

  it('refuses data after the last record, cut anywhere', async () => {
    const { records, descriptor } = await seal(fileOf(COUNT * R));
    const other = await seal(fileOf(R, 99));
    await expect(open(descriptor, [...records, ...other.records])).rejects.toMatchObject({
      code: 'BLOB_TRAILING_DATA',
    });
  });

  it('refuses a stream cut between records or inside one', async () => {
    const { records, descriptor } = await seal(fileOf(COUNT * R + 9));
    const all = concat(records);
    for (const length of [0, R + 16, 2 * (R + 16), all.length - 1, all.length - 25]) {
      await expect(open(descriptor, [all.subarray(0, length)])).rejects.toMatchObject({
        name: 'BlobError',
      });
    }
    await expect(open(descriptor, [all.subarray(0, 2 * (R + 16))])).rejects.toMatchObject({
      code: 'BLOB_TRUNCATED',
    });
  });

  it('refuses a blob whose last record is not marked last (declared size larger)', async () => {
    const { records, descriptor } = await seal(fileOf(3 * R));
    const bigger = { ...descriptor, size: 4 * R };
    expect(await verdict(bigger, records)).toBe('BLOB_RECORD_INVALID');
    // A non-last record presented as the last (declared size smaller) is refused as well.
    const smaller = { ...descriptor, size: 2 * R };
    expect(await verdict(smaller, records.slice(0, 2))).toBe('BLOB_RECORD_INVALID');
  });

  it('refuses records that authenticate but are not the named blob', async () => {
    const { records, descriptor } = await seal(fileOf(3 * R));
    const other = await seal(fileOf(3 * R, 3));
    expect(await verdict({ ...descriptor, id: other.descriptor.id }, records)).toBe(
      'BLOB_HASH_MISMATCH',
    );
  });

  it('refuses random corruption of the ciphertext stream with a typed error', async () => {
    const { records, descriptor } = await seal(fileOf(4 * R + 3));
    const all = concat(records);
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: all.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        async (index, mask) => {
          await expect(open(descriptor, [flipped(all, index, mask)])).rejects.toMatchObject({
            code: 'BLOB_RECORD_INVALID',
            index: Math.floor(index / (R + 16)),
          });
        },
      ),
      { numRuns: 50 },
    );
  });
});
