import { CborError } from '../cbor/errors.ts';
import { decodeCbor } from '../cbor/decode.ts';
import { ShapeReader } from '../cbor/shape.ts';
import type { CborValue } from '../cbor/value.ts';
import { IdentityError } from './errors.ts';

/**
 * Typed reads of identity encodings, through the generic ShapeReader: a malformed field is an
 * IDENTITY_MALFORMED error naming its path. Every encoding is a CBOR array whose first element
 * is its format version, so a newer format is told apart from garbage.
 */
export const shape: ShapeReader = new ShapeReader(
  (path, message) => new IdentityError('IDENTITY_MALFORMED', `${path}: ${message}`),
);

/** Nesting of the deepest encoding (device identity or list > certificate); more is garbage. */
const MAX_DEPTH = 4;

/** Decodes deterministic CBOR; a CborError becomes IDENTITY_INVALID_CBOR with it as the cause. */
export function decodeIdentityCbor(bytes: Uint8Array, what: string): CborValue {
  try {
    return decodeCbor(bytes, { maxDepth: MAX_DEPTH });
  } catch (error) {
    if (error instanceof CborError) {
      throw new IdentityError('IDENTITY_INVALID_CBOR', `${what}: ${error.message}`, {
        cause: error,
      });
    }
    throw error;
  }
}

/**
 * Reads `[version, ...fields]`: checks the version first (so a newer format is reported as
 * such, whatever its length), then the number of fields.
 */
export function readVersioned(
  value: CborValue,
  what: string,
  version: number,
  fieldCount: number,
): readonly CborValue[] {
  const array = shape.array(value, what);
  const first = array[0];
  if (typeof first !== 'number' && typeof first !== 'bigint') {
    return shape.fail(what, 'a version number first expected');
  }
  if (first !== version) {
    throw new IdentityError(
      'IDENTITY_UNSUPPORTED_VERSION',
      `${what}: format version ${first} is not supported (this build reads ${version})`,
    );
  }
  if (array.length !== fieldCount + 1) {
    return shape.fail(what, `an array of ${fieldCount + 1} elements expected, got ${array.length}`);
  }
  return array.slice(1);
}
