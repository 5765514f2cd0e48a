import { describe, expect, it } from 'vitest';
import { decodeContent, partByContentId, partsInIndexOrder } from '../../src/index.ts';
import { contentVectors, hex } from '../shared.ts';

const multipart3 = decodeContent(
  hex(contentVectors().find((v) => v.name === 'multipart-3')?.cborHex ?? ''),
);

describe('part index', () => {
  it('counts parts depth first, multiparts included (the draft example numbers 11 parts)', () => {
    const parts = partsInIndexOrder(multipart3.body);
    expect(parts).toHaveLength(11);
    expect(parts.map((p) => (p.kind === 'single' ? p.contentType : p.kind))).toEqual([
      'multi',
      'multi',
      'multi',
      'text/html;charset=utf-8',
      'text/html;charset=utf-8',
      'image/gif',
      'multi',
      'multi',
      'text/html;charset=utf-8',
      'text/html;charset=utf-8',
      'image/png',
    ]);
  });

  it('resolves the cid: URIs the example HTML uses', () => {
    expect(partByContentId(multipart3.body, 'cid:5@local.invalid')).toMatchObject({
      contentType: 'image/gif',
    });
    expect(partByContentId(multipart3.body, 'cid:10@local.invalid')).toMatchObject({
      contentType: 'image/png',
    });
  });

  it('refuses references to multiparts, missing parts and malformed URIs', () => {
    for (const cid of [
      'cid:1@local.invalid',
      'cid:11@local.invalid',
      'cid:05@local.invalid',
      'cid:5@example.com',
      'cid:-1@local.invalid',
      'mid:5@local.invalid',
    ]) {
      expect(partByContentId(multipart3.body, cid)).toBeUndefined();
    }
  });
});
