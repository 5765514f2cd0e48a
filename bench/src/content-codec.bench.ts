import { sha256 } from '@noble/hashes/sha2.js';
import { decode as cbor2Decode, encode as cbor2Encode, cdeEncodeOptions } from 'cbor2';
import { readFileSync } from 'node:fs';
import {
  contentMessageId,
  decodeContent,
  encodeContent,
  markdownMessage,
  multiPart,
  markdownPart,
  message,
} from '@kith/core';
import { measure, report, type Measurement } from './measure.ts';

/**
 * The MIMI content codec against raw cbor2 on the same bytes. Kith's decoder does more than
 * cbor2 (deterministic-encoding checks, every rule of the draft, typed model), so the ratio
 * is the price of that checking.
 */
export function benchContentCodec(quick: boolean): void {
  const vectors = JSON.parse(
    readFileSync(
      new URL('../../../shared/vectors/mimi-content/test-vectors.json', import.meta.url),
      'utf8',
    ),
  ) as { vectors: { name: string; cborHex: string; messageId?: string }[] };

  const salt = new Uint8Array(16).fill(9);
  const workloads: [string, Uint8Array][] = vectors.vectors
    .filter(
      (v) =>
        v.messageId !== undefined && ['original', 'attachment', 'multipart-3'].includes(v.name),
    )
    .map((v) => [v.name, Uint8Array.from(Buffer.from(v.cborHex, 'hex'))]);
  workloads.push([
    'markdown 4 KiB',
    encodeContent(markdownMessage('Lorem ipsum _dolor_ sit amet. '.repeat(140), { salt })),
  ]);
  workloads.push([
    'multipart 64 parts',
    encodeContent(
      message(
        multiPart(
          'processAll',
          Array.from({ length: 64 }, (_, i) => markdownPart(`part ${i}`)),
        ),
        { salt },
      ),
    ),
  ]);

  const ops = quick ? 200 : 5000;
  const rounds = quick ? 3 : 7;
  for (const [name, bytes] of workloads) {
    const content = decodeContent(bytes);
    const plain: unknown = cbor2Decode(bytes);
    const input = new Uint8Array(bytes.length + 100);
    const rows: [Measurement, Measurement][] = [
      [
        measure('decodeContent', ops, rounds, () => decodeContent(bytes)),
        measure('cbor2 decode', ops, rounds, () => cbor2Decode(bytes)),
      ],
      [
        measure('encodeContent', ops, rounds, () => encodeContent(content)),
        measure('cbor2 encode (CDE)', ops, rounds, () => cbor2Encode(plain, cdeEncodeOptions)),
      ],
      [
        measure('contentMessageId', ops, rounds, () =>
          contentMessageId(
            bytes,
            'mimi://example.com/u/alice-smith',
            'mimi://example.com/r/engineering_team',
          ),
        ),
        measure('sha256 of same-size input', ops, rounds, () => sha256(input)),
      ],
    ];
    report(`content codec: ${name} (${bytes.length} bytes)`, rows);
  }
}
