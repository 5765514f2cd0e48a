import fc from 'fast-check';
import { CborTag, type CborValue } from '../../src/cbor/value.ts';
import type { MessageId } from '../../src/content/message-id.ts';
import type {
  ContentExtensions,
  ExtensionKey,
  MimiContent,
  NestedPart,
} from '../../src/content/model.ts';

/** Generators of valid MIMI content, in the canonical form decodeContent returns. */

const bytes = (maxLength: number) => fc.uint8Array({ maxLength });
const exactBytes = (length: number) => fc.uint8Array({ minLength: length, maxLength: length });
const text = fc.string({ unit: 'grapheme', maxLength: 30 });
const uint = (max: number) => fc.integer({ min: 0, max });

const messageIdArb: fc.Arbitrary<MessageId> = exactBytes(31).map(
  (rest) => Uint8Array.of(1, ...rest) as MessageId,
);

const languageArb = fc.constantFrom('', 'en', 'fr', 'en-US', 'en,fr', 'zh-Hant-TW', 'de, it');

const header = fc.record({ disposition: uint(255), language: languageArb });

const singlePartArb: fc.Arbitrary<NestedPart> = fc
  .tuple(header, fc.constantFrom('text/plain;charset=utf-8', 'image/png', ''), bytes(64))
  .map(([h, contentType, content]) => ({ ...h, kind: 'single', contentType, content }));

const externalPartArb: fc.Arbitrary<NestedPart> = fc
  .tuple(
    header,
    fc.constantFrom(
      { encAlg: 0, keyLength: 0, nonceLength: 0 },
      { encAlg: 1, keyLength: 16, nonceLength: 12 },
      { encAlg: 2, keyLength: 32, nonceLength: 12 },
    ),
    fc.constantFrom({ hashAlg: 0, hashLength: 0 }, { hashAlg: 1, hashLength: 32 }),
    fc.record({
      contentType: text,
      url: fc.webUrl(),
      expires: uint(0xffff_ffff),
      size: fc.maxSafeNat(),
      description: text,
      filename: text,
    }),
    fc.nat(),
  )
  .map(([h, aead, hash, fields, seed]) => ({
    ...h,
    kind: 'external',
    ...fields,
    encAlg: aead.encAlg,
    key: new Uint8Array(aead.keyLength).fill(seed & 0xff),
    nonce: new Uint8Array(aead.nonceLength).fill(1),
    aad: aead.encAlg === 0 ? new Uint8Array() : new Uint8Array(seed % 5),
    hashAlg: hash.hashAlg,
    contentHash: new Uint8Array(hash.hashLength).fill(2),
  }));

const nullPartArb: fc.Arbitrary<NestedPart> = header.map((h) => ({ ...h, kind: 'null' }));

function partArb(level: number): fc.Arbitrary<NestedPart> {
  const leaves = fc.oneof(singlePartArb, externalPartArb, nullPartArb);
  if (level >= 4) return leaves;
  const multi: fc.Arbitrary<NestedPart> = fc
    .tuple(
      header,
      fc.constantFrom('chooseOne', 'singleUnit', 'processAll' as const),
      fc.array(partArb(level + 1), { minLength: 2, maxLength: 3 }),
    )
    .map(([h, semantics, parts]) => ({ ...h, kind: 'multi', semantics, parts }));
  return fc.oneof({ weight: 3, arbitrary: leaves }, { weight: 1, arbitrary: multi });
}

/** Extension values nested at most 3 containers deep (the extensions map is the 4th level). */
const extensionValueArb: fc.Arbitrary<CborValue> = fc
  .letrec<{ value: CborValue }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.integer(),
      fc.bigInt({ min: -(2n ** 64n), max: -(2n ** 53n) }),
      text,
      bytes(8),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie('value'), { maxLength: 3 }),
      tie('value').map((v) => new CborTag(32, v)),
    ),
  }))
  .value.filter((v) => depth(v) <= 3);

function depth(value: CborValue): number {
  if (Array.isArray(value)) return 1 + Math.max(0, ...(value as CborValue[]).map(depth));
  if (value instanceof CborTag) return 1 + depth(value.value);
  return 0;
}

const extensionKeyArb: fc.Arbitrary<ExtensionKey> = fc.oneof(
  fc.integer({ min: 3, max: 100_000 }),
  fc.integer({ min: -100_000, max: -1 }),
  fc.string({ minLength: 1, maxLength: 20 }),
);

const extensionsArb: fc.Arbitrary<ContentExtensions> = fc
  .record(
    {
      senderUri: fc.webUrl(),
      roomUri: fc.webUrl(),
      other: fc.uniqueArray(fc.tuple(extensionKeyArb, extensionValueArb), {
        minLength: 1,
        maxLength: 4,
        selector: ([key]) => key,
      }),
    },
    { requiredKeys: [] },
  )
  .map(({ other, ...uris }) => ({ ...uris, ...(other ? { other: new Map(other) } : {}) }));

export const contentArb: fc.Arbitrary<MimiContent> = fc.record({
  salt: exactBytes(16),
  replaces: fc.option(messageIdArb, { nil: null }),
  topicId: bytes(40),
  expires: fc.option(fc.record({ relative: fc.boolean(), time: uint(0xffff_ffff) }), {
    nil: null,
  }),
  inReplyTo: fc.option(messageIdArb, { nil: null }),
  extensions: extensionsArb,
  body: partArb(1),
});
