// The errors decodeCbor throws, each with the offset of the data item at fault.
import { hexPreview } from './bytes.ts';
import { CborError } from './errors.ts';
import { headLength } from './major-type.ts';

const MAJOR_TYPE_NAMES = [
  'unsigned integer',
  'negative integer',
  'byte string',
  'text string',
  'array',
  'map',
  'tag',
  'simple value or float',
];

export function majorTypeName(majorType: number): string {
  return MAJOR_TYPE_NAMES[majorType] ?? `major type ${majorType}`;
}

export function truncatedItem(start: number, needed: number, remaining: number): CborError {
  return new CborError(
    'CBOR_TRUNCATED',
    `CBOR input truncated: data item needs ${needed} more byte(s) but only ${remaining} remain`,
    start,
  );
}

export function lengthBeyondInput(
  start: number,
  majorType: number,
  declared: number | bigint,
  remaining: number,
): CborError {
  const unit = majorType === 4 ? 'elements' : majorType === 5 ? 'entries' : 'bytes';
  return new CborError(
    'CBOR_TRUNCATED',
    `CBOR input truncated: ${majorTypeName(majorType)} declares ${declared} ${unit} but only ${remaining} byte(s) remain`,
    start,
  );
}

export function trailingBytes(offset: number, extra: number): CborError {
  return new CborError(
    'CBOR_TRAILING_BYTES',
    `Expected one CBOR data item but ${extra} byte(s) follow it`,
    offset,
  );
}

export function nonShortestHead(
  start: number,
  majorType: number,
  argument: number,
  usedBytes: number,
): CborError {
  return new CborError(
    'CBOR_NOT_DETERMINISTIC',
    `Non-shortest head: ${majorTypeName(majorType)} argument ${argument} takes ${usedBytes} bytes here but ${headLength(argument)} in its shortest form`,
    start,
  );
}

/** Additional information 31 in an initial byte of major type 0..6. */
export function indefiniteLength(start: number, majorType: number): CborError {
  if (majorType >= 2 && majorType <= 5) {
    return new CborError(
      'CBOR_NOT_DETERMINISTIC',
      `Indefinite-length ${majorTypeName(majorType)} is not allowed in deterministic CBOR`,
      start,
    );
  }
  return new CborError(
    'CBOR_UNSUPPORTED',
    `Malformed CBOR: additional information 31 (indefinite length) is not valid in major type ${majorType} (${majorTypeName(majorType)})`,
    start,
  );
}

export function breakCode(start: number): CborError {
  return new CborError(
    'CBOR_NOT_DETERMINISTIC',
    'Unexpected break code 0xff: indefinite lengths are not allowed in deterministic CBOR',
    start,
  );
}

export function reservedInfo(start: number, info: number): CborError {
  return new CborError(
    'CBOR_UNSUPPORTED',
    `Malformed CBOR: additional information ${info} is reserved`,
    start,
  );
}

export function twoByteSimpleBelow32(start: number, value: number): CborError {
  return new CborError(
    'CBOR_UNSUPPORTED',
    `Invalid simple value ${value} in two-byte form (RFC 8949 section 3.3)`,
    start,
  );
}

export function tooDeep(start: number, maxDepth: number): CborError {
  return new CborError(
    'CBOR_TOO_DEEP',
    `Nesting too deep: arrays, maps and tags may nest at most ${maxDepth} deep (maxDepth)`,
    start,
  );
}

export function invalidUtf8(start: number, byteLength: number, cause: unknown): CborError {
  return new CborError(
    'CBOR_INVALID_UTF8',
    `Text string of ${byteLength} byte(s) is not valid UTF-8`,
    start,
    { cause },
  );
}

export function duplicateKey(start: number, key: Uint8Array): CborError {
  return new CborError('CBOR_DUPLICATE_KEY', `Duplicate map key ${hexPreview(key)}`, start);
}

export function keysOutOfOrder(start: number, key: Uint8Array, previous: Uint8Array): CborError {
  return new CborError(
    'CBOR_NOT_DETERMINISTIC',
    `Map keys out of order: key ${hexPreview(key)} follows ${hexPreview(previous)}, but deterministic CBOR sorts keys by their encoded bytes`,
    start,
  );
}

export function unsupportedKey(start: number, found: string): CborError {
  return new CborError(
    'CBOR_UNSUPPORTED',
    `Unsupported map key (${found}): keys must be safe integers, text strings or byte strings`,
    start,
  );
}

export function nonCanonicalNaN(start: number): CborError {
  return new CborError(
    'CBOR_NOT_DETERMINISTIC',
    'NaN must be encoded as f97e00 in deterministic CBOR',
    start,
  );
}

export function longerFloatThanNeeded(start: number, value: number, shorter: string): CborError {
  const shown = Object.is(value, -0) ? '-0' : String(value);
  return new CborError(
    'CBOR_NOT_DETERMINISTIC',
    `Non-shortest float: ${shown} fits exactly in ${shorter} precision`,
    start,
  );
}
