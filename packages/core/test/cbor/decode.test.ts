import { describe, expect, it } from 'vitest';
import { decodeCbor } from '../../src/cbor/decode.ts';
import type { CborErrorCode } from '../../src/cbor/errors.ts';
import { CborFloat, CborSimple, CborTag } from '../../src/cbor/value.ts';
import { cborEqual, expectCborError, hex } from './helpers.ts';
import { rfc8949Vectors } from './rfc8949-vectors.ts';

function expectRejected(input: string, code: CborErrorCode, offset: number): void {
  expectCborError(() => decodeCbor(hex(input)), code, offset);
}

describe('decodeCbor: RFC 8949 Appendix A', () => {
  it.each(rfc8949Vectors)('$hex -> $name', ({ value, hex: input }) => {
    expect(cborEqual(decodeCbor(hex(input)), value)).toBe(true);
  });

  it('returns number for safe integers and bigint beyond', () => {
    expect(decodeCbor(hex('1b001fffffffffffff'))).toBe(Number.MAX_SAFE_INTEGER);
    expect(decodeCbor(hex('1b0020000000000000'))).toBe(2n ** 53n);
    expect(decodeCbor(hex('3b001ffffffffffffe'))).toBe(Number.MIN_SAFE_INTEGER);
    expect(decodeCbor(hex('3b001fffffffffffff'))).toBe(-(2n ** 53n));
    expect(decodeCbor(hex('db0020000000000000 00'))).toEqual(new CborTag(2n ** 53n, 0));
  });

  it('reads floats, simple values and tags into the model classes', () => {
    expect(decodeCbor(hex('f93c00'))).toEqual(new CborFloat(1));
    expect(decodeCbor(hex('f3'))).toEqual(new CborSimple(19));
    expect(decodeCbor(hex('f820'))).toEqual(new CborSimple(32));
    expect(decodeCbor(hex('c249010000000000000000'))).toEqual(
      new CborTag(2, hex('010000000000000000')),
    );
  });

  it('returns byte strings as copies, even from a Buffer', () => {
    const input = Buffer.from(hex('8242010243020304'));
    const value = decodeCbor(input) as Uint8Array[];
    input.fill(0);
    expect(value).toEqual([hex('0102'), hex('020304')]);
    expect(value[0]?.buffer).not.toBe(input.buffer);
    expect(value[0]?.constructor).toBe(Uint8Array);
    expect(value[0]?.byteLength).toBe(value[0]?.buffer.byteLength);
  });

  it('reads from a view at a non-zero offset and from a SharedArrayBuffer', () => {
    const padded = hex('ffff 63616263 ffff');
    expect(decodeCbor(padded.subarray(2, 6))).toBe('abc');
    const shared = new Uint8Array(new SharedArrayBuffer(6));
    shared.set(hex('6568c3a96c6c'));
    expect(decodeCbor(shared)).toBe('h\u00e9ll');
  });

  it('keeps a byte order mark as content', () => {
    expect(decodeCbor(hex('63efbbbf'))).toBe('\ufeff');
  });
});

describe('decodeCbor: rejects what encodeCbor would not produce', () => {
  it.each([
    ['1817', 'integer 23 in one extra byte'],
    ['1900ff', 'integer 255 in two bytes'],
    ['1a0000ffff', 'integer 65535 in four bytes'],
    ['1b00000000ffffffff', 'integer 2^32 - 1 in eight bytes'],
    ['3800', 'negative integer -1 in one extra byte'],
    ['5800', 'byte string length in one extra byte'],
    ['780161', 'text string length in one extra byte'],
    ['980100', 'array length in one extra byte'],
    ['b9000100 00', 'map length in two bytes'],
    ['d80100', 'tag 1 in one extra byte'],
  ])('non-shortest argument %s (%s)', (input) => {
    expectRejected(input, 'CBOR_NOT_DETERMINISTIC', 0);
  });

  it('non-shortest argument inside a container reports its own offset', () => {
    expectRejected('82 01 1817', 'CBOR_NOT_DETERMINISTIC', 2);
  });

  it.each([
    ['5f4100ff', 'byte string'],
    ['7f6161ff', 'text string'],
    ['9fff', 'array'],
    ['bfff', 'map'],
  ])('indefinite-length %s %s', (input) => {
    expectRejected(input, 'CBOR_NOT_DETERMINISTIC', 0);
  });

  it.each([
    ['ff', 0],
    ['81ff', 1],
    ['a101ff', 2],
  ])('break code in %s', (input, offset) => {
    expectRejected(input, 'CBOR_NOT_DETERMINISTIC', offset);
  });

  it.each([
    ['fa3f800000', '1.0 as single'],
    ['fb3ff0000000000000', '1.0 as double'],
    ['fb40f86a0000000000', '100000.0 as double'],
    ['fa00000000', '0.0 as single'],
    ['fb8000000000000000', '-0.0 as double'],
    ['fa7f800000', 'Infinity as single'],
    ['fbfff0000000000000', '-Infinity as double'],
    ['fa33800000', 'binary16 subnormal 2^-24 as single'],
  ])('float %s (%s) not in its shortest width', (input) => {
    expectRejected(input, 'CBOR_NOT_DETERMINISTIC', 0);
  });

  it.each(['f97e01', 'f9fe00', 'f97c01', 'f97fff', 'fa7fc00000', 'fb7ff8000000000000'])(
    'NaN other than f97e00: %s',
    (input) => {
      expectRejected(input, 'CBOR_NOT_DETERMINISTIC', 0);
    },
  );

  it.each([
    ['a2 02 00 01 00', 3, 'unsigned keys descending'],
    ['a2 20 00 01 00', 3, 'negative key before unsigned'],
    ['a2 6161 00 4161 00', 4, 'text key before byte-string key'],
    ['a2 6261 61 00 617a 00', 5, 'longer text key first'],
    ['a3 00 00 617a 00 19 0100 00', 6, '"z" before 256'],
  ])('map keys out of order: %s', (input, offset) => {
    expectRejected(input, 'CBOR_NOT_DETERMINISTIC', offset);
  });

  it.each([
    ['a2 01 00 01 00', 3],
    ['a2 6161 00 6161 01', 4],
    ['a3 00 00 4100 00 4100 00', 6],
  ])('duplicate map key: %s', (input, offset) => {
    expectRejected(input, 'CBOR_DUPLICATE_KEY', offset);
  });
});

describe('decodeCbor: malformed or unsupported input', () => {
  it.each(['1c', '3d', '5e', '7c', '9d', 'be', 'dc', 'fc', 'fd', 'fe'])(
    'reserved additional information in %s',
    (input) => {
      expectRejected(input, 'CBOR_UNSUPPORTED', 0);
    },
  );

  it.each(['1f', '3f', 'df'])('additional information 31 on major type 0, 1 or 6: %s', (input) => {
    expectRejected(input, 'CBOR_UNSUPPORTED', 0);
  });

  it.each(['f800', 'f813', 'f814', 'f817', 'f818', 'f81f'])(
    'two-byte simple below 32: %s',
    (input) => {
      expectRejected(input, 'CBOR_UNSUPPORTED', 0);
    },
  );

  it.each([
    ['a1 f5 00', 'boolean'],
    ['a1 f6 00', 'null'],
    ['a1 f93c00 00', 'float'],
    ['a1 80 00', 'array'],
    ['a1 a0 00', 'map'],
    ['a1 c100 00', 'tag'],
    ['a1 1b0020000000000000 00', 'unsigned integer 2^53'],
    ['a1 3b0020000000000000 00', 'negative integer below -2^53'],
  ])('map key %s (%s)', (input) => {
    expectRejected(input, 'CBOR_UNSUPPORTED', 1);
  });

  it.each([
    ['61ff', 'lone 0xff'],
    ['62c328', 'truncated two-byte sequence'],
    ['62c080', 'overlong NUL'],
    ['63eda080', 'encoded surrogate U+D800'],
    ['64f4908080', 'code point above U+10FFFF'],
    ['8201 6180', 'lone continuation byte'],
  ])('invalid UTF-8 %s (%s)', (input) => {
    const offset = input.startsWith('82') ? 2 : 0;
    expectRejected(input.replace(' ', ''), 'CBOR_INVALID_UTF8', offset);
  });

  it.each([
    ['', 0, 'empty input'],
    ['18', 0, 'missing one-byte argument'],
    ['1901', 0, 'short two-byte argument'],
    ['1b00000001', 0, 'short eight-byte argument'],
    ['6261', 0, 'text shorter than declared'],
    ['43 0102', 0, 'bytes shorter than declared'],
    ['83 01 02', 0, 'array declaring more elements than bytes remain'],
    ['a2 01 02 03', 0, 'map declaring more entries than bytes remain'],
    ['82 01 1901', 2, 'array element truncated'],
    ['a2 01 02 03 1a00', 4, 'map value truncated'],
    ['a1 1901', 1, 'map key truncated'],
    ['c1', 1, 'tag without content'],
    ['f9 7c', 0, 'half float missing a byte'],
    ['fa 000000', 0, 'single float missing a byte'],
    ['fb 00000000000000', 0, 'double float missing a byte'],
    ['f8', 0, 'simple value missing its byte'],
  ])('truncated: %s (%s)', (input, offset) => {
    expectRejected(input, 'CBOR_TRUNCATED', offset);
  });

  it.each([
    ['00 00', 1],
    ['80 80', 1],
    ['6161 ff', 2],
  ])('trailing bytes after one item: %s', (input, offset) => {
    expectRejected(input, 'CBOR_TRAILING_BYTES', offset);
  });
});

describe('decodeCbor: hostile input', () => {
  it('stops 100000 nested arrays at the depth limit without recursing further', () => {
    const input = new Uint8Array(100_001).fill(0x81);
    input[100_000] = 0x00;
    const error = expectCborError(() => decodeCbor(input), 'CBOR_TOO_DEEP', 64);
    expect(error.message).toContain('64');
  });

  it('stops deeply nested maps and tags too', () => {
    const maps = new Uint8Array(200_000);
    for (let i = 0; i < maps.length; i += 2) maps.set([0xa1, 0x00], i);
    expectCborError(() => decodeCbor(maps), 'CBOR_TOO_DEEP', 128);
    expectCborError(() => decodeCbor(new Uint8Array(100_000).fill(0xc1)), 'CBOR_TOO_DEEP', 64);
  });

  it('counts containers from 1 at the top level and honours maxDepth', () => {
    const nested64 = hex('81'.repeat(64) + '00');
    expect(JSON.stringify(decodeCbor(nested64))).toBe('['.repeat(64) + '0' + ']'.repeat(64));
    expectCborError(() => decodeCbor(hex('81'.repeat(65) + '00')), 'CBOR_TOO_DEEP', 64);
    expect(decodeCbor(hex('c1 a1 01 81 00'), { maxDepth: 3 })).toEqual(
      new CborTag(1, new Map([[1, [0]]])),
    );
    expectCborError(() => decodeCbor(hex('c1 a1 01 81 00'), { maxDepth: 2 }), 'CBOR_TOO_DEEP', 3);
    expectCborError(() => decodeCbor(hex('80'), { maxDepth: 0 }), 'CBOR_TOO_DEEP', 0);
    expect(decodeCbor(hex('01'), { maxDepth: 0 })).toBe(1);
  });

  it.each([-1, 0.5, 1001, Infinity])('refuses maxDepth %d as a programming error', (maxDepth) => {
    expect(() => decodeCbor(hex('00'), { maxDepth })).toThrow(RangeError);
  });

  it.each([
    ['9b 0000000100000000', 'array of 2^32 elements'],
    ['bb 0000000100000000', 'map of 2^32 entries'],
    ['9a ffffffff', 'array of 2^32 - 1 elements'],
    ['5b 0000000100000000', 'byte string of 2^32 bytes'],
    ['7b ffffffffffffffff', 'text string of 2^64 - 1 bytes'],
    ['9b ffffffffffffffff', 'array of 2^64 - 1 elements'],
    ['b9 0100', 'map of 256 entries'],
  ])('fails fast on a declared length beyond the input: %s (%s)', (input) => {
    const bytes = new Uint8Array([...hex(input), ...new Uint8Array(10)]);
    const error = expectCborError(() => decodeCbor(bytes), 'CBOR_TRUNCATED', 0);
    expect(error.message).toMatch(
      /declares \d+ (bytes|elements|entries) but only \d+ byte\(s\) remain/,
    );
  });
});
