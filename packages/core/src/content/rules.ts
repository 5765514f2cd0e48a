import { CborTag, type CborValue } from '../cbor/value.ts';
import { ContentError } from './errors.ts';
import { ContentLimits } from './limits.ts';
import { asMessageId } from './message-id.ts';
import { checkWellFormed, encodeUtf8 } from './text.ts';
import type { ContentExtensions, ExternalPart, MimiContent, NestedPart } from './model.ts';

/**
 * The checks of draft-ietf-mimi-content that the CBOR shape alone does not express. Both
 * directions run them, so Kith never sends what it would refuse to receive.
 */
export function checkContent(content: MimiContent): void {
  checkBytes(content.salt, 'salt', ContentLimits.saltBytes, ContentLimits.saltBytes);
  if (content.replaces !== null) asMessageId(content.replaces, 'replaces');
  if (content.inReplyTo !== null) asMessageId(content.inReplyTo, 'inReplyTo');
  checkBytes(content.topicId, 'topicId', 0, ContentLimits.maxTopicIdBytes);
  if (content.expires !== null) checkUint(content.expires.time, 'expires.time', 0xffff_ffff);
  checkExtensions(content.extensions);
  const counter = { parts: 0 };
  checkPart(content.body, 'body', 1, counter);
}

function checkPart(part: NestedPart, path: string, depth: number, counter: { parts: number }) {
  if (depth > ContentLimits.maxPartDepth) {
    throw new ContentError(
      'CONTENT_TOO_DEEP',
      path,
      `body parts nest at most ${ContentLimits.maxPartDepth} levels deep`,
    );
  }
  counter.parts += 1;
  if (counter.parts > ContentLimits.maxParts) {
    throw new ContentError(
      'CONTENT_TOO_MANY_PARTS',
      path,
      `a message has at most ${ContentLimits.maxParts} body parts`,
    );
  }
  checkUint(part.disposition, `${path}.disposition`, 0xff);
  checkLanguage(part.language, `${path}.language`);
  switch (part.kind) {
    case 'null':
      return;
    case 'single':
      checkWellFormed(part.contentType, `${path}.contentType`);
      return;
    case 'external':
      checkExternalPart(part, path);
      return;
    case 'multi':
      if (part.parts.length < 2) {
        throw new ContentError(
          'CONTENT_MALFORMED',
          `${path}.parts`,
          'a multipart has at least two parts',
        );
      }
      part.parts.forEach((child, i) => {
        checkPart(child, `${path}.parts[${i}]`, depth + 1, counter);
      });
  }
}

/** Key and nonce sizes of the IANA AEAD algorithms Kith knows; others pass unchecked. */
const aeadSizes = new Map<number, { key: number; nonce: number }>([
  [1, { key: 16, nonce: 12 }], // AEAD_AES_128_GCM
  [2, { key: 32, nonce: 12 }], // AEAD_AES_256_GCM
  [29, { key: 32, nonce: 12 }], // AEAD_CHACHA20_POLY1305
]);

/** Digest sizes of the IANA Named Information hash algorithms Kith knows (0: no hash). */
const hashSizes = new Map<number, number>([
  [0, 0],
  [1, 32], // sha-256
  [7, 48], // sha-384
  [8, 64], // sha-512
  [10, 32], // sha3-256
  [11, 48], // sha3-384
  [12, 64], // sha3-512
]);

function checkExternalPart(part: ExternalPart, path: string): void {
  const fail = (field: string, message: string): never => {
    throw new ContentError('CONTENT_INVALID_EXTERNAL_PART', `${path}.${field}`, message);
  };
  for (const field of ['contentType', 'url', 'description', 'filename'] as const) {
    checkWellFormed(part[field], `${path}.${field}`);
  }
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(part.url)) fail('url', 'must be an absolute URI');
  checkUint(part.expires, `${path}.expires`, 0xffff_ffff);
  checkUint(part.size, `${path}.size`, Number.MAX_SAFE_INTEGER);
  checkUint(part.encAlg, `${path}.encAlg`, 0xffff);
  checkUint(part.hashAlg, `${path}.hashAlg`, 0xff);
  if (part.encAlg === 0) {
    if (part.key.length > 0 || part.nonce.length > 0 || part.aad.length > 0) {
      fail('encAlg', 'unencrypted content (encAlg 0) has an empty key, nonce and aad');
    }
  }
  const aead = aeadSizes.get(part.encAlg);
  if (aead !== undefined && part.key.length !== aead.key) {
    fail('key', `AEAD algorithm ${part.encAlg} takes a ${aead.key}-byte key`);
  }
  if (aead !== undefined && part.nonce.length !== aead.nonce) {
    fail('nonce', `AEAD algorithm ${part.encAlg} takes a ${aead.nonce}-byte nonce`);
  }
  const hashSize = hashSizes.get(part.hashAlg);
  if (hashSize !== undefined && part.contentHash.length !== hashSize) {
    fail('contentHash', `hash algorithm ${part.hashAlg} gives ${hashSize}-byte hashes`);
  }
}

function checkExtensions(extensions: ContentExtensions): void {
  if (extensions.senderUri !== undefined)
    checkWellFormed(extensions.senderUri, 'extensions.senderUri');
  if (extensions.roomUri !== undefined) checkWellFormed(extensions.roomUri, 'extensions.roomUri');
  for (const [key, value] of extensions.other ?? []) {
    const path = `extensions[${typeof key === 'string' ? JSON.stringify(key) : String(key)}]`;
    const fail = (message: string): never => {
      throw new ContentError('CONTENT_INVALID_EXTENSION', path, message);
    };
    if (typeof key === 'number') {
      if (!Number.isSafeInteger(key)) fail('integer keys are safe integers');
      if (key === 1 || key === 2) fail('extensions 1 and 2 are `senderUri` and `roomUri`');
    } else {
      const size = encodeUtf8(key, path).length;
      if (size < 1 || size > ContentLimits.maxExtensionKeyBytes) {
        fail(`text keys are 1 to ${ContentLimits.maxExtensionKeyBytes} bytes of UTF-8`);
      }
    }
    if (1 + containerDepth(value) > ContentLimits.maxExtensionDepth) {
      fail(`tags, maps and arrays nest at most ${ContentLimits.maxExtensionDepth} levels deep`);
    }
  }
}

/** How many containers (arrays, maps, tags) nest in `value`; 0 for a scalar. */
function containerDepth(value: CborValue): number {
  if (Array.isArray(value)) return 1 + maxDepthOf(value as readonly CborValue[]);
  if (value instanceof Map) return 1 + maxDepthOf([...(value as Map<unknown, CborValue>).values()]);
  if (value instanceof CborTag) return 1 + containerDepth(value.value);
  return 0;
}

function maxDepthOf(values: readonly CborValue[]): number {
  let max = 0;
  for (const v of values) max = Math.max(max, containerDepth(v));
  return max;
}

/** RFC 5646 tags in their generic shape, comma-separated (a space after a comma is tolerated). */
const languageList =
  /^(?:[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*(?:, ?[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*)*)?$/;

function checkLanguage(language: string, path: string): void {
  if (!languageList.test(language)) {
    throw new ContentError(
      'CONTENT_INVALID_LANGUAGE',
      path,
      `"${language}" is not empty or a comma-separated list of language tags`,
    );
  }
}

function checkBytes(bytes: Uint8Array, path: string, min: number, max: number): void {
  if (bytes.length < min || bytes.length > max) {
    const expected = min === max ? `${min}` : `${min} to ${max}`;
    throw new ContentError(
      'CONTENT_OUT_OF_RANGE',
      path,
      `${expected} bytes expected, got ${bytes.length}`,
    );
  }
}

function checkUint(value: number, path: string, max: number): void {
  if (!Number.isSafeInteger(value) || value < 0 || value > max) {
    throw new ContentError(
      'CONTENT_OUT_OF_RANGE',
      path,
      `an integer from 0 to ${max} expected, got ${value}`,
    );
  }
}
