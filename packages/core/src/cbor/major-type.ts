/** CBOR major types (RFC 8949 section 3.1): the top three bits of a data item's initial byte. */
export const MAJOR_UNSIGNED = 0;
export const MAJOR_NEGATIVE = 1;
export const MAJOR_BYTES = 2;
export const MAJOR_TEXT = 3;
export const MAJOR_ARRAY = 4;
export const MAJOR_MAP = 5;
export const MAJOR_TAG = 6;
export const MAJOR_SIMPLE_FLOAT = 7;

/** Initial bytes of major type 7 items that the codec writes directly. */
export const BYTE_FALSE = 0xf4;
export const BYTE_TRUE = 0xf5;
export const BYTE_NULL = 0xf6;
export const BYTE_UNDEFINED = 0xf7;
export const BYTE_SIMPLE_ONE_BYTE = 0xf8;
export const BYTE_FLOAT16 = 0xf9;
export const BYTE_FLOAT32 = 0xfa;
export const BYTE_FLOAT64 = 0xfb;
export const FLOAT16_CANONICAL_NAN = 0x7e00;

/** Bytes a head (initial byte plus argument) takes in its shortest form. */
export function headLength(argument: number): number {
  if (argument < 24) return 1;
  if (argument < 0x100) return 2;
  if (argument < 0x10000) return 3;
  if (argument < 0x1_0000_0000) return 5;
  return 9;
}
