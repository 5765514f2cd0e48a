import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The project's read-only inputs (specs, vectors, samples) live beside the repository. */
const sharedDir = fileURLToPath(new URL('../../../../shared/', import.meta.url));

export function readShared(path: string): Buffer {
  if (!existsSync(sharedDir)) {
    throw new Error(
      `The tests read the project's shared inputs (specs, vectors) from ${sharedDir}, beside the repository, and it is not there. Check out or copy shared/ next to the repository.`,
    );
  }
  return readFileSync(sharedDir + path);
}

export function hex(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

export interface ContentVector {
  readonly name: string;
  readonly cborHex: string;
  readonly messageId?: string;
  readonly senderUri?: string;
  readonly roomUri?: string;
}

export function contentVectors(): ContentVector[] {
  const file = JSON.parse(readShared('vectors/mimi-content/test-vectors.json').toString()) as {
    vectors: ContentVector[];
  };
  return file.vectors;
}
