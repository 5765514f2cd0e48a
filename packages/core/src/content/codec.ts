import { decodeCbor } from '../cbor/decode.ts';
import { encodeCbor } from '../cbor/encode.ts';
import { CborError } from '../cbor/errors.ts';
import type { CborKey, CborValue } from '../cbor/value.ts';
import { readArray, readBool, readBytes, readNullable, readText, readUint } from './cbor-reader.ts';
import { ContentError } from './errors.ts';
import { ContentLimits } from './limits.ts';
import { asMessageId, type MessageId } from './message-id.ts';
import {
  ExtensionKeys,
  type ContentExtensions,
  type Expiration,
  type ExtensionKey,
  type MimiContent,
  type NestedPart,
  type PartSemantics,
} from './model.ts';
import { checkContent } from './rules.ts';

/**
 * The deepest CBOR nesting a valid content message reaches is 8 (four levels of multipart);
 * a little headroom lets too-deep bodies fail with CONTENT_TOO_DEEP rather than a CBOR error.
 */
const MAX_CBOR_DEPTH = 12;

const cardinality = { null: 0, single: 1, external: 2, multi: 3 } as const;
const semanticsCodes: Record<PartSemantics, number> = {
  chooseOne: 0,
  singleUnit: 1,
  processAll: 2,
};
const semanticsByCode: readonly PartSemantics[] = ['chooseOne', 'singleUnit', 'processAll'];

/** Encodes a content message deterministically (RFC 8949 section 4.2.1), after checking it. */
export function encodeContent(content: MimiContent): Uint8Array {
  checkContent(content);
  return encodeChecked(contentToCbor(content));
}

/**
 * Decodes and checks a content message. Anything that breaks the draft, including a
 * non-deterministic encoding, throws a ContentError; no partly filled value escapes.
 */
export function decodeContent(bytes: Uint8Array): MimiContent {
  const content = contentFromCbor(decodeChecked(bytes));
  checkContent(content);
  return content;
}

/** CBOR decoding for the content codecs: CBOR errors become ContentErrors. */
export function decodeChecked(bytes: Uint8Array): CborValue {
  try {
    return decodeCbor(bytes, { maxDepth: MAX_CBOR_DEPTH });
  } catch (error) {
    throw asContentError(error);
  }
}

export function encodeChecked(value: CborValue): Uint8Array {
  try {
    return encodeCbor(value);
  } catch (error) {
    throw asContentError(error);
  }
}

function asContentError(error: unknown): unknown {
  if (!(error instanceof CborError)) return error;
  return new ContentError('CONTENT_INVALID_CBOR', '', error.message, { cause: error });
}

function contentToCbor(content: MimiContent): CborValue {
  return [
    content.salt,
    content.replaces,
    content.topicId,
    content.expires === null ? null : [content.expires.relative, content.expires.time],
    content.inReplyTo,
    extensionsToCbor(content.extensions),
    partToCbor(content.body),
  ];
}

function extensionsToCbor(extensions: ContentExtensions): CborValue {
  const map = new Map<CborKey, CborValue>();
  if (extensions.senderUri !== undefined) map.set(ExtensionKeys.senderUri, extensions.senderUri);
  if (extensions.roomUri !== undefined) map.set(ExtensionKeys.roomUri, extensions.roomUri);
  for (const [key, value] of extensions.other ?? []) map.set(key, value);
  return map;
}

function partToCbor(part: NestedPart): CborValue {
  const header = [part.disposition, part.language];
  switch (part.kind) {
    case 'null':
      return [...header, cardinality.null];
    case 'single':
      return [...header, cardinality.single, part.contentType, part.content];
    case 'external':
      return [
        ...header,
        cardinality.external,
        part.contentType,
        part.url,
        part.expires,
        part.size,
        part.encAlg,
        part.key,
        part.nonce,
        part.aad,
        part.hashAlg,
        part.contentHash,
        part.description,
        part.filename,
      ];
    case 'multi':
      return [
        ...header,
        cardinality.multi,
        semanticsCodes[part.semantics],
        part.parts.map(partToCbor),
      ];
  }
}

function contentFromCbor(value: CborValue): MimiContent {
  const [salt, replaces, topicId, expires, inReplyTo, extensions, body] = readArray(value, '', 7);
  return {
    salt: readBytes(salt, 'salt'),
    replaces: readNullable(replaces, 'replaces', readMessageId),
    topicId: readBytes(topicId, 'topicId'),
    expires: readNullable(expires, 'expires', readExpiration),
    inReplyTo: readNullable(inReplyTo, 'inReplyTo', readMessageId),
    extensions: readExtensions(extensions, 'extensions'),
    body: readPart(body, 'body', 1),
  };
}

export function readMessageId(value: CborValue, path: string): MessageId {
  return asMessageId(readBytes(value, path), path);
}

function readExpiration(value: CborValue, path: string): Expiration {
  const [relative, time] = readArray(value, path, 2);
  return {
    relative: readBool(relative, `${path}.relative`),
    time: readUint(time, `${path}.time`, 0xffff_ffff),
  };
}

function readExtensions(value: CborValue, path: string): ContentExtensions {
  if (!(value instanceof Map)) {
    throw new ContentError('CONTENT_MALFORMED', path, 'a map expected');
  }
  let senderUri: string | undefined;
  let roomUri: string | undefined;
  const other = new Map<ExtensionKey, CborValue>();
  for (const [key, entry] of value as ReadonlyMap<CborKey, CborValue>) {
    if (key instanceof Uint8Array) {
      throw new ContentError(
        'CONTENT_INVALID_EXTENSION',
        path,
        'extension keys are integers or text, not byte strings',
      );
    }
    if (key === ExtensionKeys.senderUri) senderUri = readText(entry, `${path}.senderUri`);
    else if (key === ExtensionKeys.roomUri) roomUri = readText(entry, `${path}.roomUri`);
    else other.set(key, entry);
  }
  return {
    ...(senderUri === undefined ? {} : { senderUri }),
    ...(roomUri === undefined ? {} : { roomUri }),
    ...(other.size === 0 ? {} : { other }),
  };
}

function readPart(value: CborValue, path: string, depth: number): NestedPart {
  // Checked here as well as in checkContent, so hostile nesting is refused before recursing.
  if (depth > ContentLimits.maxPartDepth) {
    throw new ContentError(
      'CONTENT_TOO_DEEP',
      path,
      `body parts nest at most ${ContentLimits.maxPartDepth} levels deep`,
    );
  }
  const fields = readArray(value, path);
  if (fields.length < 3) {
    throw new ContentError('CONTENT_MALFORMED', path, 'a part has at least 3 elements');
  }
  const header = {
    disposition: readUint(fields[0], `${path}.disposition`, 0xff),
    language: readText(fields[1], `${path}.language`),
  };
  const kind = readUint(fields[2], `${path}.cardinality`, Number.MAX_SAFE_INTEGER);
  const expectLength = (length: number, name: string) => {
    if (fields.length !== length) {
      throw new ContentError(
        'CONTENT_MALFORMED',
        path,
        `a ${name} part has ${length} elements, got ${fields.length}`,
      );
    }
  };
  switch (kind) {
    case cardinality.null:
      expectLength(3, 'null');
      return { ...header, kind: 'null' };
    case cardinality.single:
      expectLength(5, 'single');
      return {
        ...header,
        kind: 'single',
        contentType: readText(fields[3], `${path}.contentType`),
        content: readBytes(fields[4], `${path}.content`),
      };
    case cardinality.external:
      expectLength(15, 'external');
      return {
        ...header,
        kind: 'external',
        contentType: readText(fields[3], `${path}.contentType`),
        url: readText(fields[4], `${path}.url`),
        expires: readUint(fields[5], `${path}.expires`, 0xffff_ffff),
        size: readUint(fields[6], `${path}.size`, Number.MAX_SAFE_INTEGER),
        encAlg: readUint(fields[7], `${path}.encAlg`, 0xffff),
        key: readBytes(fields[8], `${path}.key`),
        nonce: readBytes(fields[9], `${path}.nonce`),
        aad: readBytes(fields[10], `${path}.aad`),
        hashAlg: readUint(fields[11], `${path}.hashAlg`, 0xff),
        contentHash: readBytes(fields[12], `${path}.contentHash`),
        description: readText(fields[13], `${path}.description`),
        filename: readText(fields[14], `${path}.filename`),
      };
    case cardinality.multi: {
      expectLength(5, 'multi');
      const code = readUint(fields[3], `${path}.partSemantics`, Number.MAX_SAFE_INTEGER);
      const semantics = semanticsByCode[code];
      if (semantics === undefined) {
        throw new ContentError(
          'CONTENT_UNKNOWN_PART_SEMANTICS',
          `${path}.partSemantics`,
          `unknown part semantics ${code} (0 chooseOne, 1 singleUnit, 2 processAll)`,
        );
      }
      const parts = readArray(fields[4], `${path}.parts`);
      if (parts.length > ContentLimits.maxParts) {
        throw new ContentError(
          'CONTENT_TOO_MANY_PARTS',
          `${path}.parts`,
          `a message has at most ${ContentLimits.maxParts} body parts`,
        );
      }
      return {
        ...header,
        kind: 'multi',
        semantics,
        parts: parts.map((part, i) => readPart(part, `${path}.parts[${i}]`, depth + 1)),
      };
    }
    default:
      throw new ContentError(
        'CONTENT_UNKNOWN_CARDINALITY',
        `${path}.cardinality`,
        `unknown part cardinality ${kind} (0 null, 1 single, 2 external, 3 multi)`,
      );
  }
}
