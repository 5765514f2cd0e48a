import { decodeCbor } from '../cbor/decode.ts';
import { encodeCbor } from '../cbor/encode.ts';
import type { CborValue } from '../cbor/value.ts';
import type { ChainLink, ForkEvidence, LogItemId } from './author-chain.ts';
import { malformed, readArray, readBigUint, readBool, readBytes, readUint } from './cbor-fields.ts';
import { TimelineLimits } from './limits.ts';
import { decodeSignedUpdate, encodeSignedUpdate, HASH_LENGTH } from './signed-update.ts';

/**
 * A conversation document at rest: the Yjs state (loads in one `applyUpdate`, far faster than
 * replaying updates) plus every author's chain as received, so the reopened document still
 * serves sync and judges later updates exactly as before. Written by this device for itself,
 * so it is trusted: nothing in it is re-verified.
 */
export interface SnapshotState {
  readonly room: Uint8Array;
  readonly device: Uint8Array;
  readonly yjs: Uint8Array;
  readonly authors: readonly SnapshotAuthor[];
  readonly evidence: readonly ForkEvidence[];
}

interface SnapshotAuthor {
  readonly author: Uint8Array;
  readonly links: readonly ChainLink[];
  readonly lastLogItem: LogItemId | null;
  readonly lastLamport: number;
  /** Message IDs of the author's entries by log position, 32 bytes each: no rehashing. */
  readonly messageIds: Uint8Array;
}

const VERSION = 1;
const KINDS = ['equivocation', 'broken-link'] as const;

export function encodeSnapshot(s: SnapshotState): Uint8Array {
  return encodeCbor([
    VERSION,
    s.room,
    s.device,
    s.yjs,
    s.authors.map((a) => [
      a.author,
      a.links.map((l) => [l.encoded, l.hash, l.epoch, l.generation, l.accepted]),
      a.lastLogItem === null ? null : [a.lastLogItem.client, a.lastLogItem.clock],
      a.lastLamport,
      a.messageIds,
    ]),
    s.evidence.map((e) => [
      KINDS.indexOf(e.kind),
      e.seq,
      encodeSignedUpdate(e.first),
      encodeSignedUpdate(e.second),
    ]),
  ]);
}

/** Throws TimelineError TIMELINE_MALFORMED. */
export function decodeSnapshot(bytes: Uint8Array): SnapshotState {
  let value: CborValue;
  try {
    value = decodeCbor(bytes, { maxDepth: 5 });
  } catch {
    throw malformed('snapshot: not deterministic CBOR');
  }
  const [version, room, device, yjs, authors, evidence] = readArray(value, 'snapshot', 6);
  if (version !== VERSION) throw malformed(`unknown snapshot version`);
  return {
    room: readBytes(room, 'room', HASH_LENGTH),
    device: readBytes(device, 'device', 32),
    yjs: readBytes(yjs, 'yjs'),
    authors: readArray(authors, 'authors').map(readAuthor),
    evidence: readArray(evidence, 'evidence').map((row) => {
      const [kind, seq, first, second] = readArray(row, 'evidence', 4);
      const k = KINDS[readUint(kind, 'evidence kind', KINDS.length - 1)] ?? 'equivocation';
      const f = decodeSignedUpdate(readBytes(first, 'evidence first'));
      return {
        kind: k,
        author: f.author,
        seq: readUint(seq, 'evidence seq'),
        first: f,
        second: decodeSignedUpdate(readBytes(second, 'evidence second')),
      };
    }),
  };
}

function readAuthor(row: CborValue): SnapshotAuthor {
  const [author, links, last, lamport, ids] = readArray(row, 'author', 5);
  return {
    author: readBytes(author, 'author', 32),
    links: readArray(links, 'links').map((link, seq): ChainLink => {
      const [encoded, hash, epoch, generation, accepted] = readArray(link, 'link', 5);
      return {
        seq,
        encoded: readBytes(encoded, 'link update'),
        hash: readBytes(hash, 'link hash', HASH_LENGTH),
        epoch: readBigUint(epoch, 'link epoch'),
        generation: readUint(generation, 'link generation', TimelineLimits.maxGeneration),
        accepted: readBool(accepted, 'link accepted'),
      };
    }),
    lastLogItem:
      last === null
        ? null
        : (() => {
            const [client, clock] = readArray(last, 'last log item', 2);
            return { client: readUint(client, 'client'), clock: readUint(clock, 'clock') };
          })(),
    lastLamport: readUint(lamport, 'last lamport'),
    messageIds: readBytes(ids, 'message IDs'),
  };
}
