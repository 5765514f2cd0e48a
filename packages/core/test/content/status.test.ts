import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CborTag,
  decodeDerivedValues,
  decodeStatusReport,
  encodeCbor,
  encodeDerivedValues,
  encodeStatusReport,
  type MessageDerivedValues,
  type MessageId,
} from '../../src/index.ts';

const messageId = fc
  .uint8Array({ minLength: 31, maxLength: 31 })
  .map((rest) => Uint8Array.of(1, ...rest) as MessageId);

describe('message status reports', () => {
  it('round-trip', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ messageId, status: fc.integer({ min: 0, max: 255 }) }), {
          maxLength: 20,
        }),
        (report) => {
          expect(decodeStatusReport(encodeStatusReport(report))).toEqual(report);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuse malformed reports with a typed error', () => {
    const id = Uint8Array.of(1, ...new Uint8Array(31));
    const cases: [Uint8Array, string][] = [
      [encodeCbor(new Map()), 'CONTENT_MALFORMED'],
      [encodeCbor([[id]]), 'CONTENT_MALFORMED'],
      [encodeCbor([[id, 256]]), 'CONTENT_OUT_OF_RANGE'],
      [encodeCbor([[id.subarray(1), 2]]), 'CONTENT_INVALID_MESSAGE_ID'],
      [Uint8Array.of(0x81, 0x82), 'CONTENT_INVALID_CBOR'],
    ];
    for (const [bytes, code] of cases) {
      expect(() => decodeStatusReport(bytes)).toThrow(
        expect.objectContaining({ name: 'ContentError', code }),
      );
    }
    expect(() => encodeStatusReport([{ messageId: id as MessageId, status: 300 }])).toThrow(
      expect.objectContaining({ code: 'CONTENT_OUT_OF_RANGE' }),
    );
  });
});

describe('derived values', () => {
  const base: MessageDerivedValues = {
    messageId: Uint8Array.of(1, ...new Uint8Array(31)) as MessageId,
    hubAcceptedTimestamp: 1644387225019,
    mlsGroupId: new Uint8Array([1, 2, 3]),
    senderLeafIndex: 4,
    senderClientUrl: 'mimi://example.com/d/1',
    senderUserUrl: 'mimi://example.com/u/alice',
    roomUrl: 'mimi://example.com/r/room',
  };

  it('carry an RFC 9581 extended time', () => {
    const extended = {
      extended: new Map([
        [1, 1644387225],
        [-3, 19],
      ]),
    };
    const values = { ...base, hubAcceptedTimestamp: extended };
    expect(decodeDerivedValues(encodeDerivedValues(values))).toEqual(values);
  });

  it('refuse a timestamp that is neither milliseconds nor an extended time', () => {
    const bytes = encodeCbor([
      base.messageId,
      new CborTag(1, 5),
      base.mlsGroupId,
      4,
      'a:b',
      'a:c',
      'a:d',
    ]);
    expect(() => decodeDerivedValues(bytes)).toThrow(
      expect.objectContaining({ code: 'CONTENT_MALFORMED', path: 'hubAcceptedTimestamp' }),
    );
  });
});
