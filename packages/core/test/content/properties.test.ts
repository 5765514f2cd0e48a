import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contentMessageId, decodeContent, encodeContent } from '../../src/index.ts';
import { contentVectors, hex } from '../shared.ts';
import { contentArb } from './arbitraries.ts';

/** Decoding either fails with a ContentError or gives a value that encodes to the same bytes. */
function decodesExactlyOrFailsTyped(bytes: Uint8Array): void {
  let decoded;
  try {
    decoded = decodeContent(bytes);
  } catch (error) {
    expect(error).toMatchObject({ name: 'ContentError', code: expect.any(String) });
    return;
  }
  expect(encodeContent(decoded)).toEqual(bytes);
}

describe('content properties', () => {
  it('decode(encode(content)) gives the content back', () => {
    fc.assert(
      fc.property(contentArb, (content) => {
        expect(decodeContent(encodeContent(content))).toEqual(content);
      }),
      { numRuns: 300 },
    );
  });

  it('message IDs differ when the salt, the sender or the room differ', () => {
    fc.assert(
      fc.property(contentArb, fc.webUrl(), fc.webUrl(), (content, sender, room) => {
        fc.pre(sender !== room);
        const bytes = encodeContent(content);
        const id = contentMessageId(bytes, sender, room);
        expect(id).toHaveLength(32);
        expect(id[0]).toBe(1);
        expect(contentMessageId(bytes, room, sender)).not.toEqual(id);
        const resalted = encodeContent({ ...content, salt: content.salt.map((b) => b ^ 1) });
        expect(contentMessageId(resalted, sender, room)).not.toEqual(id);
      }),
      { numRuns: 100 },
    );
  });

  it('random bytes give a typed error or an exact decoding', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), decodesExactlyOrFailsTyped), {
      numRuns: 1000,
    });
  });

  describe.each(contentVectors().filter((v) => v.messageId !== undefined))(
    'mutations of the $name vector',
    ({ cborHex }) => {
      const original = hex(cborHex);
      const position = fc.nat({ max: original.length - 1 });

      it('a changed byte', () => {
        fc.assert(
          fc.property(position, fc.integer({ min: 0, max: 255 }), (at, value) => {
            const mutated = original.slice();
            mutated[at] = value;
            decodesExactlyOrFailsTyped(mutated);
          }),
          { numRuns: 300 },
        );
      });

      it('an inserted, deleted or truncated byte', () => {
        fc.assert(
          fc.property(position, fc.integer({ min: 0, max: 255 }), (at, value) => {
            decodesExactlyOrFailsTyped(
              Uint8Array.from([...original.subarray(0, at), value, ...original.subarray(at)]),
            );
            decodesExactlyOrFailsTyped(
              Uint8Array.from([...original.subarray(0, at), ...original.subarray(at + 1)]),
            );
            decodesExactlyOrFailsTyped(original.subarray(0, at));
          }),
          { numRuns: 200 },
        );
      });
    },
  );
});
