import { createHash } from 'node:crypto';
import type { Libp2p } from '@libp2p/interface';
import { lpStream } from '@libp2p/utils';
import { multiaddr } from '@multiformats/multiaddr';
import { BlobLayout, blobIdOf, type BlobId, type MailboxKey } from '@kith/core';
import {
  decodeRelayBlobResponse,
  encodeRelayBlobRequest,
  Protocols,
  signBlobPut,
  type RelayBlobRequest,
  type RelayBlobResponse,
} from '@kith/node';

/** A blob as a relay sees it: records of the right lengths whose concatenation names it. */
export interface TestBlob {
  readonly id: BlobId;
  readonly size: number;
  readonly recordSize: number;
  readonly records: readonly Uint8Array[];
}

/** Random ciphertext laid out as a blob of `size` plaintext bytes in records of `recordSize`. */
export function testBlob(size: number, recordSize = 16 * 1024): TestBlob {
  const layout = new BlobLayout(size, recordSize);
  const records: Uint8Array[] = [];
  const hash = createHash('sha256');
  for (let i = 0; i < layout.count; i++) {
    const record = new Uint8Array(layout.cipherLength(i));
    for (let at = 0; at < record.length; at += 65536) {
      crypto.getRandomValues(record.subarray(at, at + 65536));
    }
    records.push(record);
    hash.update(record);
  }
  return { id: blobIdOf(hash.digest()), size, recordSize, records };
}

/** Ciphertext bytes of a test blob: what quotas count. */
export function cipherBytes(blob: TestBlob): number {
  return new BlobLayout(blob.size, blob.recordSize).cipherSize;
}

/**
 * An upload as a device bypassing its client would make it: any request, any records at once,
 * on a connection of its own. Resolves to the relay's answers: the go-ahead (if any), then the
 * end (the acknowledgements between are read and left out).
 */
export async function rawUpload(
  libp2p: Libp2p,
  relay: string,
  request: RelayBlobRequest,
  records: readonly Uint8Array[] = [],
): Promise<RelayBlobResponse[]> {
  const signal = AbortSignal.timeout(30_000);
  const stream = await libp2p.dialProtocol(multiaddr(relay), Protocols.blobStore, { signal });
  const lp = lpStream(stream, { maxDataLength: 4096 });
  const answers: RelayBlobResponse[] = [];
  await lp.write(encodeRelayBlobRequest(request), { signal });
  const first = decodeRelayBlobResponse((await lp.read({ signal })).subarray());
  answers.push(first);
  if (first.type === 'send') {
    for (const record of records.slice(first.from)) await lp.write(record, { signal });
    // One acknowledgement per record the relay kept, then its verdict.
    for (;;) {
      const answer = decodeRelayBlobResponse((await lp.read({ signal })).subarray());
      if (answer.type !== 'held') {
        answers.push(answer);
        break;
      }
    }
  }
  await stream.close({ signal }).catch(() => undefined);
  return answers;
}

/** A put request for `blob` under `key`, signed for `relay` (a peer ID) unless `signer` differs. */
export function putRequest(
  key: MailboxKey,
  relay: string,
  blob: TestBlob,
  signer: MailboxKey = key,
): RelayBlobRequest {
  const { id, size, recordSize } = blob;
  return {
    type: 'put',
    mailbox: key.keyPair.publicKey,
    id,
    size,
    recordSize,
    signature: signBlobPut(signer, relay, { id, size, recordSize }),
  };
}
