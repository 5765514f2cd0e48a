/**
 * The CBOR data model Kith reads and writes: RFC 8949 restricted to what MIMI content permits
 * (draft-ietf-mimi-content, "Data model restrictions").
 *
 * - Integers are `number` when they are safe integers (|n| <= 2^53 - 1) and `bigint` otherwise,
 *   so every integer CBOR can carry (-2^64 .. 2^64 - 1) survives a round trip.
 * - A plain `number` is always an integer. Floating-point values are wrapped in `CborFloat`,
 *   so `1` and `1.0` stay distinct and re-encode to the bytes they came from.
 * - Map keys are integers that a double can hold, text strings or byte strings, as MIMI requires
 *   at every level of nesting.
 */
export type CborValue =
  | number
  | bigint
  | string
  | Uint8Array
  | boolean
  | null
  | undefined
  | readonly CborValue[]
  | CborMap
  | CborTag
  | CborFloat
  | CborSimple;

/** A map key: an integer, a text string or a byte string (MIMI allows no other). */
export type CborKey = number | string | Uint8Array;

/** A CBOR map. A JS Map, so integer keys stay integers and byte-string keys are kept. */
export type CborMap = ReadonlyMap<CborKey, CborValue>;

/** A tagged data item (major type 6). */
export class CborTag {
  readonly tag: number | bigint;
  readonly value: CborValue;

  constructor(tag: number | bigint, value: CborValue) {
    this.tag = tag;
    this.value = value;
  }
}

/** A floating-point number (major type 7). Encoded in the shortest width that keeps its value. */
export class CborFloat {
  readonly value: number;

  constructor(value: number) {
    this.value = value;
  }
}

/** A simple value other than false, true, null and undefined: 0..19 or 32..255. */
export class CborSimple {
  readonly value: number;

  constructor(value: number) {
    this.value = value;
  }
}
