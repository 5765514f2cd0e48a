import { describe, expect, it } from 'vitest';
import {
  contentMessageId,
  decodeContent,
  decodeDerivedValues,
  decodeStatusReport,
  encodeContent,
  encodeDerivedValues,
  encodeStatusReport,
  MessageStatus,
} from '../../src/index.ts';
import { contentVectors, hex, readShared, toHex } from '../shared.ts';

const vectors = contentVectors();
const contentMessages = vectors.filter((v) => v.messageId !== undefined);

describe('MIMI content vectors (../shared/vectors/mimi-content)', () => {
  it('has the vectors this suite expects', () => {
    expect(contentMessages.map((v) => v.name).sort()).toEqual([
      'attachment',
      'delete',
      'edit',
      'mention',
      'multipart-1',
      'multipart-3',
      'original',
      'reaction',
      'reply',
    ]);
  });

  it.each(vectors)(
    '$name: the .cbor file holds the same bytes as the JSON',
    ({ name, cborHex }) => {
      expect(toHex(readShared(`vectors/mimi-content/${name}.cbor`))).toBe(cborHex);
    },
  );

  it.each(contentMessages)('$name decodes and re-encodes byte for byte', ({ cborHex }) => {
    const content = decodeContent(hex(cborHex));
    expect(toHex(encodeContent(content))).toBe(cborHex);
  });

  it.each(contentMessages)('$name gives its message ID', (v) => {
    const id = contentMessageId(hex(v.cborHex), v.senderUri ?? '', v.roomUri ?? '');
    expect(toHex(id)).toBe(v.messageId);
  });

  it.each(contentMessages)('$name carries its sender and room URIs in extensions 1 and 2', (v) => {
    const { extensions } = decodeContent(hex(v.cborHex));
    expect(extensions).toEqual({ senderUri: v.senderUri, roomUri: v.roomUri });
  });

  it('decodes the fields of the attachment vector', () => {
    const attachment = vectors.find((v) => v.name === 'attachment');
    const { body } = decodeContent(hex(attachment?.cborHex ?? ''));
    expect(body).toMatchObject({
      kind: 'external',
      disposition: 6,
      language: 'en',
      contentType: 'video/mp4',
      url: 'https://example.com/storage/8ksB4bSrrRE.mp4',
      size: 708234961,
      encAlg: 1,
      hashAlg: 1,
      description: '2 hours of key signing video',
      filename: 'bigfile.mp4',
    });
  });

  it('decodes the nesting of multipart-3', () => {
    const v = vectors.find((x) => x.name === 'multipart-3');
    const { body } = decodeContent(hex(v?.cborHex ?? ''));
    expect(body.kind === 'multi' && body.semantics).toBe('chooseOne');
    const gifVersion = body.kind === 'multi' ? body.parts[0] : undefined;
    expect(gifVersion?.kind === 'multi' && gifVersion.semantics).toBe('processAll');
  });

  it('implied-original: derived values decode and re-encode byte for byte', () => {
    const implied = vectors.find((v) => v.name === 'implied-original');
    const bytes = hex(implied?.cborHex ?? '');
    const values = decodeDerivedValues(bytes);
    // The CBOR carries the draft's older ID of the original message; its EDN (017ce548...) and
    // the original vector's computed ID disagree with it. The bytes are what must round-trip.
    expect(toHex(values.messageId)).toBe(
      '01b0084467273cc43d6f0ebeac13eb84229c4fffe8f6c3594c905f47779e5a79',
    );
    expect(values).toMatchObject({
      hubAcceptedTimestamp: 1644387225019,
      senderLeafIndex: 4,
      senderClientUrl: 'mimi://example.com/d/3b52249d-68f9-45ce-8bf5-c799f3cad7ec/0003',
      senderUserUrl: 'mimi://example.com/u/alice-smith',
      roomUrl: 'mimi://example.com/r/engineering_team',
    });
    expect(toHex(values.mlsGroupId)).toBe(
      'eeee0d12a7b5b5b78115ad1a1ddb13811c83fd7387c43e66799a594beeda26bf',
    );
    expect(toHex(encodeDerivedValues(values))).toBe(implied?.cborHex);
  });
});

describe('message status vector (../shared/vectors/status.cbor)', () => {
  const bytes = Uint8Array.from(readShared('vectors/status.cbor'));

  it('decodes to the report of the draft example and re-encodes byte for byte', () => {
    const report = decodeStatusReport(bytes);
    expect(report.map((entry) => [toHex(entry.messageId), entry.status])).toEqual([
      ['017ce54837404c3696e0c747b985cb172716d0ed0a3d249ca63ace7d82a096f4', MessageStatus.read],
      ['015354973c2b65ca937bf1e035ae53a5ab80e947afa43d46920d4202e5cc0b27', MessageStatus.read],
      ['018d825adf9f6be00dcafc5704c4102f5022e74219d0b603e4ba7622654042af', MessageStatus.unread],
      ['01e59db8173939facc2c8a4a0f0ae8d0c7a11a81239626630c9464a8d6717a03', MessageStatus.expired],
    ]);
    expect(encodeStatusReport(report)).toEqual(bytes);
  });

  it('names messages of the content vectors by their IDs', () => {
    const ids = new Set(contentMessages.map((v) => v.messageId));
    const report = decodeStatusReport(bytes);
    expect(report.slice(0, 3).every((entry) => ids.has(toHex(entry.messageId)))).toBe(true);
  });
});
