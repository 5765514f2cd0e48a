import {
  BlobSealer,
  BlobLimits,
  openBlob,
  useBlobSha256,
  webCryptoAead,
  type BlobDescriptor,
} from '@kith/core';
import { installNodeCrypto } from '@kith/node';
import { measureAsync, report, type Measurement } from './measure.ts';

/**
 * Sealing and opening a file as a Kith blob (256 KiB AES-128-GCM records, streamed, hashed)
 * against raw WebCrypto AES-128-GCM over the same data in the same record size. The ratio is
 * the price of the streaming, the per-record binding and the ciphertext hash.
 */
export async function benchBlobCodec(quick: boolean): Promise<void> {
  const size = (quick ? 4 : 32) * 1024 * 1024;
  const rs = BlobLimits.defaultRecordSize;
  const file = new Uint8Array(size);
  for (let i = 0; i < size; i += 65536) crypto.getRandomValues(file.subarray(i, i + 65536));
  const keys = {
    key: new Uint8Array(16).fill(1),
    nonce: new Uint8Array(12).fill(2),
    recordSize: rs,
  };
  const subtle = globalThis.crypto.subtle;
  const raw = await subtle.importKey('raw', keys.key, 'AES-GCM', false, ['encrypt', 'decrypt']);
  const iv = new Uint8Array(12);

  let records: Uint8Array[] = [];
  let descriptor: BlobDescriptor | undefined;
  const seal = async () => {
    const sealer = await BlobSealer.create(webCryptoAead, keys);
    records = [];
    for await (const record of sealer.seal(file)) records.push(record);
    descriptor = { ...keys, id: sealer.result.id, size };
  };
  const rawSealed: Uint8Array<ArrayBuffer>[] = [];
  const rawSeal = async () => {
    rawSealed.length = 0;
    for (let i = 0; i < size; i += rs) {
      const sealed = await subtle.encrypt({ name: 'AES-GCM', iv }, raw, file.subarray(i, i + rs));
      rawSealed.push(new Uint8Array(sealed));
    }
  };
  const open = async () => {
    if (descriptor === undefined) throw new Error('seal first');
    let bytes = 0;
    for await (const chunk of openBlob(webCryptoAead, descriptor, records)) bytes += chunk.length;
    if (bytes !== size) throw new Error('the blob did not open whole');
  };
  const rawOpen = async () => {
    for (const record of rawSealed) await subtle.decrypt({ name: 'AES-GCM', iv }, raw, record);
  };
  const rounds = quick ? 3 : 5;
  const rows: [Measurement, Measurement][] = [];
  for (const hash of ['noble', 'node'] as const) {
    if (hash === 'node') installNodeCrypto();
    else useBlobSha256(undefined);
    rows.push(
      [
        await measureAsync(`seal (${hash} SHA-256)`, 1, rounds, seal),
        await measureAsync('raw AES-GCM encrypt', 1, rounds, rawSeal),
      ],
      [
        await measureAsync(`open (${hash} SHA-256)`, 1, rounds, open),
        await measureAsync('raw AES-GCM decrypt', 1, rounds, rawOpen),
      ],
    );
  }
  report(`Blob codec, ${size / 1024 / 1024} MiB in ${rs / 1024} KiB records`, rows, 'ms');
}
