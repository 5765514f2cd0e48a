import { decodeCbor } from '../cbor/decode.ts';
import { encodeCbor } from '../cbor/encode.ts';
import type { CborValue } from '../cbor/value.ts';
import type { ChainLink, ForkEvidence, LogItemId } from './author-chain.ts';
import { malformed, readArray, readBigUint, readBool, readBytes, readUint } from './cbor-fields.ts';
import type { UserId } from '../ids.ts';
import type { StoredBody } from './bodies.ts';
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
  /**
   * Message bodies (bodies.ts); empty in the snapshot a device stores for itself, which keeps
   * bodies in their own table so that purging one never means rewriting the snapshot.
   */
  readonly bodies: readonly StoredBody[];
  /** IDs of messages that expired (bodies.ts). */
  readonly expired: readonly Uint8Array[];
}

interface SnapshotAuthor {
  readonly author: Uint8Array;
  readonly links: readonly ChainLink[];
  readonly lastLogItem: LogItemId | null;
  readonly lastLamport: number;
}

/** 3: bodies carry their owner (bodies.ts); version 2 snapshots are still read. */
const VERSION = 3;
const OLDEST_READ = 2;
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
    ]),
    s.evidence.map((e) => [
      KINDS.indexOf(e.kind),
      e.seq,
      encodeSignedUpdate(e.first),
      encodeSignedUpdate(e.second),
    ]),
    s.bodies.map(([id, body, owner]) => [id, body, owner ?? null]),
    [...s.expired],
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
  const fields = readArray(value, 'snapshot');
  const version = fields[0];
  if (typeof version !== 'number' || version < OLDEST_READ || version > VERSION) {
    throw malformed(`unknown snapshot version`);
  }
  const [, room, device, yjs, authors, evidence, bodies, expired] = readArray(value, 'snapshot', 8);
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
    bodies: readArray(bodies, 'bodies').map((row): StoredBody => {
      const [id, body, owner] = readArray(row, 'body', version === 2 ? 2 : 3);
      const pair = [readBytes(id, 'body message ID', 32), readBytes(body, 'body')] as const;
      if (owner === undefined || owner === null) return pair;
      // Written by this device (trusted at rest): only its shape is checked.
      if (typeof owner !== 'string' || owner.length > 128) throw malformed('body owner');
      return [...pair, owner as UserId];
    }),
    expired: readArray(expired, 'expired').map((id) => readBytes(id, 'expired message ID', 32)),
  };
}

function readAuthor(row: CborValue): SnapshotAuthor {
  const [author, links, last, lamport] = readArray(row, 'author', 4);
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
  };
}
