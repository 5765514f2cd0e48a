import type { CborValue } from '../../src/cbor/value.ts';
import { CborFloat, CborSimple, CborTag } from '../../src/cbor/value.ts';
import { hex } from './helpers.ts';

export interface Vector {
  readonly name: string;
  readonly value: CborValue;
  readonly hex: string;
}

const float = (value: number) => new CborFloat(value);

/**
 * RFC 8949 Appendix A examples that are already in deterministic encoding (those using
 * indefinite lengths or non-preferred forms are left out), plus a few boundary values.
 */
export const rfc8949Vectors: readonly Vector[] = [
  { name: '0', value: 0, hex: '00' },
  { name: '1', value: 1, hex: '01' },
  { name: '10', value: 10, hex: '0a' },
  { name: '23', value: 23, hex: '17' },
  { name: '24', value: 24, hex: '1818' },
  { name: '25', value: 25, hex: '1819' },
  { name: '100', value: 100, hex: '1864' },
  { name: '255', value: 255, hex: '18ff' },
  { name: '256', value: 256, hex: '190100' },
  { name: '1000', value: 1000, hex: '1903e8' },
  { name: '65535', value: 65535, hex: '19ffff' },
  { name: '65536', value: 65536, hex: '1a00010000' },
  { name: '1000000', value: 1000000, hex: '1a000f4240' },
  { name: '2^32 - 1', value: 2 ** 32 - 1, hex: '1affffffff' },
  { name: '2^32', value: 2 ** 32, hex: '1b0000000100000000' },
  { name: '1000000000000', value: 1000000000000, hex: '1b000000e8d4a51000' },
  { name: '2^53 - 1', value: Number.MAX_SAFE_INTEGER, hex: '1b001fffffffffffff' },
  { name: '2^53', value: 2n ** 53n, hex: '1b0020000000000000' },
  { name: '2^64 - 1', value: 2n ** 64n - 1n, hex: '1bffffffffffffffff' },
  { name: '-1', value: -1, hex: '20' },
  { name: '-10', value: -10, hex: '29' },
  { name: '-24', value: -24, hex: '37' },
  { name: '-25', value: -25, hex: '3818' },
  { name: '-100', value: -100, hex: '3863' },
  { name: '-1000', value: -1000, hex: '3903e7' },
  { name: '-2^53 + 1', value: Number.MIN_SAFE_INTEGER, hex: '3b001ffffffffffffe' },
  { name: '-2^53', value: -(2n ** 53n), hex: '3b001fffffffffffff' },
  { name: '-2^64', value: -(2n ** 64n), hex: '3bffffffffffffffff' },
  { name: '0.0', value: float(0), hex: 'f90000' },
  { name: '-0.0', value: float(-0), hex: 'f98000' },
  { name: '1.0', value: float(1), hex: 'f93c00' },
  { name: '1.1', value: float(1.1), hex: 'fb3ff199999999999a' },
  { name: '1.5', value: float(1.5), hex: 'f93e00' },
  { name: '65504.0', value: float(65504), hex: 'f97bff' },
  { name: '100000.0', value: float(100000), hex: 'fa47c35000' },
  { name: '3.4028234663852886e+38', value: float(3.4028234663852886e38), hex: 'fa7f7fffff' },
  { name: '1.0e+300', value: float(1.0e300), hex: 'fb7e37e43c8800759c' },
  { name: '5.960464477539063e-8', value: float(5.960464477539063e-8), hex: 'f90001' },
  { name: '0.00006103515625', value: float(0.00006103515625), hex: 'f90400' },
  { name: '-4.0', value: float(-4), hex: 'f9c400' },
  { name: '-4.1', value: float(-4.1), hex: 'fbc010666666666666' },
  { name: 'Infinity', value: float(Infinity), hex: 'f97c00' },
  { name: 'NaN', value: float(NaN), hex: 'f97e00' },
  { name: '-Infinity', value: float(-Infinity), hex: 'f9fc00' },
  { name: 'false', value: false, hex: 'f4' },
  { name: 'true', value: true, hex: 'f5' },
  { name: 'null', value: null, hex: 'f6' },
  { name: 'undefined', value: undefined, hex: 'f7' },
  { name: 'simple(16)', value: new CborSimple(16), hex: 'f0' },
  { name: 'simple(255)', value: new CborSimple(255), hex: 'f8ff' },
  {
    name: '0("2013-03-21T20:04:00Z")',
    value: new CborTag(0, '2013-03-21T20:04:00Z'),
    hex: 'c074323031332d30332d32315432303a30343a30305a',
  },
  { name: '1(1363896240)', value: new CborTag(1, 1363896240), hex: 'c11a514b67b0' },
  {
    name: '1(1363896240.5)',
    value: new CborTag(1, float(1363896240.5)),
    hex: 'c1fb41d452d9ec200000',
  },
  { name: "23(h'01020304')", value: new CborTag(23, hex('01020304')), hex: 'd74401020304' },
  { name: "24(h'6449455446')", value: new CborTag(24, hex('6449455446')), hex: 'd818456449455446' },
  {
    name: '32("http://www.example.com")',
    value: new CborTag(32, 'http://www.example.com'),
    hex: 'd82076687474703a2f2f7777772e6578616d706c652e636f6d',
  },
  { name: 'tag 2^64 - 1', value: new CborTag(2n ** 64n - 1n, null), hex: 'dbfffffffffffffffff6' },
  { name: "h''", value: hex(''), hex: '40' },
  { name: "h'01020304'", value: hex('01020304'), hex: '4401020304' },
  { name: '""', value: '', hex: '60' },
  { name: '"a"', value: 'a', hex: '6161' },
  { name: '"IETF"', value: 'IETF', hex: '6449455446' },
  { name: '"\\"\\\\"', value: '"\\', hex: '62225c' },
  { name: '"\\u00fc"', value: '\u00fc', hex: '62c3bc' },
  { name: '"\\u6c34"', value: '\u6c34', hex: '63e6b0b4' },
  { name: '"\\ud800\\udd51"', value: '\ud800\udd51', hex: '64f0908591' },
  { name: 'BOM is content', value: '\ufeffa', hex: '64efbbbf61' },
  { name: '[]', value: [], hex: '80' },
  { name: '[1, 2, 3]', value: [1, 2, 3], hex: '83010203' },
  { name: '[1, [2, 3], [4, 5]]', value: [1, [2, 3], [4, 5]], hex: '8301820203820405' },
  {
    name: '[1, 2, ..., 25]',
    value: Array.from({ length: 25 }, (_, i) => i + 1),
    hex: '98190102030405060708090a0b0c0d0e0f101112131415161718181819',
  },
  { name: '{}', value: new Map(), hex: 'a0' },
  {
    name: '{1: 2, 3: 4}',
    value: new Map([
      [1, 2],
      [3, 4],
    ]),
    hex: 'a201020304',
  },
  {
    name: '{"a": 1, "b": [2, 3]}',
    value: new Map<string, CborValue>([
      ['a', 1],
      ['b', [2, 3]],
    ]),
    hex: 'a26161016162820203',
  },
  { name: '["a", {"b": "c"}]', value: ['a', new Map([['b', 'c']])], hex: '826161a161626163' },
  {
    name: '{"a": "A", ..., "e": "E"}',
    value: new Map(['a', 'b', 'c', 'd', 'e'].map((key) => [key, key.toUpperCase()])),
    hex: 'a56161614161626142616361436164614461656145',
  },
];
