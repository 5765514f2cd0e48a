import { describe, expect, it } from 'vitest';
import {
  CborTag,
  decodeContent,
  encodeCbor,
  encodeContent,
  type CborValue,
  type ContentErrorCode,
  type MimiContent,
} from '../../src/index.ts';
import { contentVectors, hex } from '../shared.ts';

const id = (first = 1) => Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? first : i));
const text = (s: string) => new TextEncoder().encode(s);
const single = (disposition: CborValue = 1, language: CborValue = ''): CborValue[] => [
  disposition,
  language,
  1,
  'text/plain;charset=utf-8',
  text('hi'),
];
const external = (overrides: Record<number, CborValue> = {}): CborValue[] => {
  const fields: CborValue[] = [
    6,
    '',
    2,
    'image/png',
    'https://example.com/x',
    0,
    10,
    1,
    new Uint8Array(16),
    new Uint8Array(12),
    new Uint8Array(),
    1,
    new Uint8Array(32),
    '',
    '',
  ];
  for (const [i, v] of Object.entries(overrides)) fields[Number(i)] = v;
  return fields;
};
const multi = (parts: CborValue[], semantics: CborValue = 2): CborValue[] => [
  1,
  '',
  3,
  semantics,
  parts,
];
/** Multiparts nested `levels` deep in total (the body is level 1). */
const nested = (levels: number): CborValue =>
  levels === 1 ? single() : multi([nested(levels - 1), single()]);

function content(overrides: Partial<Record<number, CborValue>> = {}): Uint8Array {
  const fields: CborValue[] = [
    new Uint8Array(16),
    null,
    new Uint8Array(),
    null,
    null,
    new Map(),
    single(),
  ];
  for (const [i, v] of Object.entries(overrides)) fields[Number(i)] = v;
  return encodeCbor(fields);
}

function expectCode(bytes: Uint8Array, code: ContentErrorCode, path?: string) {
  let thrown: unknown;
  try {
    decodeContent(bytes);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toMatchObject({ name: 'ContentError', code, ...(path ? { path } : {}) });
}

describe('decodeContent refuses what the draft forbids, with a typed error', () => {
  it('accepts the minimal valid message these cases start from', () => {
    expect(decodeContent(content()).body.kind).toBe('single');
  });

  it.each<[string, Uint8Array, ContentErrorCode, string?]>([
    ['not an array', encodeCbor(new Map()), 'CONTENT_MALFORMED'],
    [
      'six fields',
      encodeCbor([new Uint8Array(16), null, new Uint8Array(), null, null, new Map()]),
      'CONTENT_MALFORMED',
    ],
    ['a 15-byte salt', content({ 0: new Uint8Array(15) }), 'CONTENT_OUT_OF_RANGE', 'salt'],
    ['a text salt', content({ 0: 'salt' }), 'CONTENT_MALFORMED', 'salt'],
    [
      'a 31-byte replaces',
      content({ 1: new Uint8Array(31) }),
      'CONTENT_INVALID_MESSAGE_ID',
      'replaces',
    ],
    [
      'an unknown hash in inReplyTo',
      content({ 4: id(2) }),
      'CONTENT_INVALID_MESSAGE_ID',
      'inReplyTo',
    ],
    ['a 4097-byte topic', content({ 2: new Uint8Array(4097) }), 'CONTENT_OUT_OF_RANGE', 'topicId'],
    [
      'an expiry past 2^32',
      content({ 3: [true, 2 ** 32] }),
      'CONTENT_OUT_OF_RANGE',
      'expires.time',
    ],
    [
      'a non-boolean relative flag',
      content({ 3: [1, 5] }),
      'CONTENT_MALFORMED',
      'expires.relative',
    ],
    ['extensions as an array', content({ 5: [] }), 'CONTENT_MALFORMED', 'extensions'],
    [
      'a non-text sender URI',
      content({ 5: new Map([[1, 5]]) }),
      'CONTENT_MALFORMED',
      'extensions.senderUri',
    ],
    [
      'a byte-string extension key',
      content({ 5: new Map([[new Uint8Array(1), 5]]) }),
      'CONTENT_INVALID_EXTENSION',
    ],
    [
      'a 256-byte text extension key',
      content({ 5: new Map([['k'.repeat(256), 5]]) }),
      'CONTENT_INVALID_EXTENSION',
    ],
    [
      'extensions nested 5 deep',
      content({ 5: new Map([[300, [[[[1]]]]]]) }),
      'CONTENT_INVALID_EXTENSION',
    ],
    [
      'an unknown cardinality',
      content({ 6: [1, '', 4] }),
      'CONTENT_UNKNOWN_CARDINALITY',
      'body.cardinality',
    ],
    [
      'unknown part semantics',
      content({ 6: multi([single(), single()], 3) }),
      'CONTENT_UNKNOWN_PART_SEMANTICS',
    ],
    [
      'a multipart of one part',
      content({ 6: multi([single()]) }),
      'CONTENT_MALFORMED',
      'body.parts',
    ],
    [
      'a single part missing its content',
      content({ 6: [1, '', 1, 'text/plain'] }),
      'CONTENT_MALFORMED',
      'body',
    ],
    ['a null part with extra fields', content({ 6: [1, '', 0, 'x'] }), 'CONTENT_MALFORMED', 'body'],
    ['parts nested 5 deep', content({ 6: nested(5) }), 'CONTENT_TOO_DEEP'],
    [
      '1025 body parts',
      content({ 6: multi(Array.from({ length: 1024 }, () => single())) }),
      'CONTENT_TOO_MANY_PARTS',
    ],
    [
      'a disposition of 256',
      content({ 6: single(256) }),
      'CONTENT_OUT_OF_RANGE',
      'body.disposition',
    ],
    [
      'a malformed language',
      content({ 6: single(1, 'en_US') }),
      'CONTENT_INVALID_LANGUAGE',
      'body.language',
    ],
    [
      'an unencrypted part with a key',
      content({ 6: external({ 7: 0, 9: new Uint8Array() }) }),
      'CONTENT_INVALID_EXTERNAL_PART',
      'body.encAlg',
    ],
    [
      'an AES-128-GCM key of 15 bytes',
      content({ 6: external({ 8: new Uint8Array(15) }) }),
      'CONTENT_INVALID_EXTERNAL_PART',
      'body.key',
    ],
    [
      'a SHA-256 hash of 31 bytes',
      content({ 6: external({ 12: new Uint8Array(31) }) }),
      'CONTENT_INVALID_EXTERNAL_PART',
      'body.contentHash',
    ],
    [
      'a relative URL',
      content({ 6: external({ 4: 'storage/x' }) }),
      'CONTENT_INVALID_EXTERNAL_PART',
      'body.url',
    ],
    [
      'a size beyond 2^53 - 1',
      content({ 6: external({ 6: 2n ** 60n }) }),
      'CONTENT_OUT_OF_RANGE',
      'body.size',
    ],
    [
      'encAlg beyond 16 bits',
      content({ 6: external({ 7: 65536 }) }),
      'CONTENT_OUT_OF_RANGE',
      'body.encAlg',
    ],
    [
      'a tagged salt',
      content({ 0: new CborTag(24, new Uint8Array(16)) }),
      'CONTENT_MALFORMED',
      'salt',
    ],
  ])('%s', (_name, bytes, code, path) => {
    expectCode(bytes, code, path);
  });

  it('accepts parts nested exactly 4 deep and extensions nested exactly 4 deep', () => {
    const ext = new Map<number | string, CborValue>([
      [1, 'mimi://a.example/u/alice'],
      [
        256,
        [
          [new Uint8Array([0x12, 0x34]), new CborTag(32, 'http://example.com')],
          [h('3456'), 5771],
        ],
      ],
    ]);
    const decoded = decodeContent(content({ 5: ext, 6: nested(4) }));
    expect(decoded.extensions.senderUri).toBe('mimi://a.example/u/alice');
    expect(decoded.extensions.other?.get(256)).toBeDefined();
  });

  it('refuses bytes that are not deterministic CBOR, keeping the CBOR error as the cause', () => {
    const original = hex(contentVectors().find((v) => v.name === 'original')?.cborHex ?? '');
    // The body's disposition (1) re-encoded in the two-byte form 0x18 0x01.
    const bodyStart = original.indexOf(0x85);
    const longForm = Uint8Array.from([
      ...original.subarray(0, bodyStart + 1),
      0x18,
      ...original.subarray(bodyStart + 1),
    ]);
    expect(() => decodeContent(longForm)).toThrow(
      expect.objectContaining({
        code: 'CONTENT_INVALID_CBOR',
        cause: expect.objectContaining({ code: 'CBOR_NOT_DETERMINISTIC' }),
      }),
    );
    expectCode(Uint8Array.from([...original, 0x00]), 'CONTENT_INVALID_CBOR');
    expectCode(original.subarray(0, original.length - 1), 'CONTENT_INVALID_CBOR');
    expectCode(new Uint8Array(), 'CONTENT_INVALID_CBOR');
  });

  it('encodeContent refuses the same values, so Kith never sends what it would refuse', () => {
    const valid = decodeContent(content());
    const bad: MimiContent = { ...valid, body: { ...valid.body, disposition: 300 } };
    expect(() => encodeContent(bad)).toThrow(
      expect.objectContaining({ code: 'CONTENT_OUT_OF_RANGE' }),
    );
    const badExt: MimiContent = { ...valid, extensions: { other: new Map([[1, 'x']]) } };
    expect(() => encodeContent(badExt)).toThrow(
      expect.objectContaining({ code: 'CONTENT_INVALID_EXTENSION' }),
    );
  });
});

function h(s: string): Uint8Array {
  return hex(s);
}
