import { describe, expect, it } from 'vitest';
import {
  attachmentBody,
  attachmentPart,
  BlobSealer,
  decodeContent,
  encodeContent,
  fallbackText,
  findAttachment,
  message,
  readAttachment,
  trustedMediaType,
  webCryptoAead,
  type BlobDescriptor,
  type ExternalPart,
} from '../../src/index.ts';

async function sealed(size: number): Promise<BlobDescriptor> {
  const keys = {
    key: new Uint8Array(16).fill(3),
    nonce: new Uint8Array(12).fill(4),
    recordSize: 64,
  };
  const sealer = await BlobSealer.create(webCryptoAead, keys);
  for await (const record of sealer.seal(new Uint8Array(size).fill(9))) {
    expect(record.length).toBeGreaterThan(0);
  }
  return { ...keys, id: sealer.result.id, size: sealer.result.size };
}

const salt = new Uint8Array(16).fill(1);

describe('attachment ExternalPart', () => {
  it('round-trips through a MIMI message with a fallback text and a caption', async () => {
    const blob = await sealed(1000);
    const part = attachmentPart(blob, {
      contentType: 'application/pdf',
      filename: 'report.pdf',
      description: 'Q3 report',
    });
    const content = message(attachmentBody(part, 'the *report*'), { salt });
    const decoded = decodeContent(encodeContent(content));
    const found = findAttachment(decoded);
    expect(found).toMatchObject({
      id: blob.id,
      size: 1000,
      recordSize: 64,
      contentType: 'application/pdf',
      filename: 'report.pdf',
      description: 'Q3 report',
    });
    expect(found?.key).toEqual(blob.key);
    expect(found?.nonce).toEqual(blob.nonce);
    expect(decoded.body).toMatchObject({
      kind: 'multi',
      semantics: 'processAll',
      parts: [{ contentType: 'text/markdown;variant=GFM-MIMI' }, { semantics: 'chooseOne' }],
    });
    expect(fallbackText(part)).toBe('[file: report.pdf (Q3 report), application/pdf, 1000 B]');
    expect(part.url).toMatch(/^ni:\/\/\/sha-256;[A-Za-z0-9_-]{43}\?rs=64$/);
  });

  it('refuses parts that do not describe a Kith blob, saying why', async () => {
    const part = attachmentPart(await sealed(10), { contentType: 'text/plain' });
    const other = attachmentPart(await sealed(11), { contentType: 'text/plain' });
    const bad: Partial<ExternalPart>[] = [
      { encAlg: 1 },
      { hashAlg: 2 },
      { url: 'https://example.com/x' },
      { contentHash: other.contentHash },
      { url: other.url },
      { key: new Uint8Array(32) },
      { nonce: new Uint8Array(16) },
      { aad: Uint8Array.of(1) },
      { url: part.url.replace('?rs=64', '?rs=8') },
      { url: part.url.replace('?rs=64', '?rs=064') },
    ];
    for (const change of bad) {
      expect(() => readAttachment({ ...part, ...change }), JSON.stringify(change)).toThrow(
        expect.objectContaining({ code: 'BLOB_NOT_KITH_BLOB' }),
      );
    }
    expect(readAttachment(part).id).toBeDefined();
  });

  it('does not trust the declared media type', () => {
    const png = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0);
    expect(trustedMediaType('image/png', png)).toBe('image/png');
    expect(trustedMediaType('image/jpeg', png)).toBe('application/octet-stream');
    expect(trustedMediaType('image/png', new TextEncoder().encode('<svg onload=x>'))).toBe(
      'application/octet-stream',
    );
    expect(trustedMediaType('text/plain', new TextEncoder().encode('hello'))).toBe('text/plain');
    expect(trustedMediaType('text/plain', png)).toBe('application/octet-stream');
  });
});
