import { decodeCbor } from '../cbor/decode.ts';
import { encodeCbor } from '../cbor/encode.ts';
import { ShapeReader } from '../cbor/shape.ts';
import type { CborValue } from '../cbor/value.ts';
import { SyncError } from './errors.ts';

/**
 * Direct frames between two devices (docs/PROTOCOL.md, "Sync"). They travel over the
 * transport's authenticated channel; the receiver knows who sent them from the channel, and
 * answers only members of the room. Everything secret inside is MLS ciphertext.
 */
export type DirectFrame =
  /** An invitation: an MLS Welcome for one of the receiver's key packages. */
  | { readonly type: 'welcome'; readonly welcome: Uint8Array }
  /**
   * Where the sender stands in a room: its latest epoch IDs (newest last) and the head of each
   * author chain it holds. `reply` is false when the receiver should answer with its own hello.
   */
  | {
      readonly type: 'hello';
      readonly groupId: Uint8Array;
      /** The sender's current epoch number. */
      readonly epoch: bigint;
      readonly epochIds: readonly Uint8Array[];
      readonly heads: readonly ChainHead[];
      readonly reply: boolean;
    }
  /** Commits after the latest epoch both sides know, oldest first. */
  | {
      readonly type: 'epochs';
      readonly groupId: Uint8Array;
      readonly commits: readonly Uint8Array[];
    }
  /** An MLS application message (of the room's current epoch) carrying signed updates. */
  | { readonly type: 'data'; readonly groupId: Uint8Array; readonly message: Uint8Array }
  /**
   * For a member whose epochs share none with the sender's retained ones: a GroupInfo of the
   * sender's current epoch, to come back with an external commit.
   */
  | { readonly type: 'groupinfo'; readonly groupId: Uint8Array; readonly groupInfo: Uint8Array };

interface ChainHead {
  /** The author device's public key. */
  readonly author: Uint8Array;
  /** The seq of the last update held from this author... */
  readonly seq: number;
  /** ...and its hash, so a fork of the author's chain shows. */
  readonly head: Uint8Array;
}

const TYPES = ['welcome', 'hello', 'epochs', 'data', 'groupinfo'] as const;
const VERSION = 1;
/** Largest direct frame accepted; larger input is refused before it is decoded. */
export const MAX_FRAME_BYTES = 4 * 1024 * 1024;
const MAX_EPOCH_IDS = 64;
const MAX_HEADS = 10_000;
const MAX_COMMITS = 1024;

/** The wire form of a direct frame (deterministic CBOR). */
export function encodeDirectFrame(frame: DirectFrame): Uint8Array {
  const type = TYPES.indexOf(frame.type);
  const body = ((): CborValue[] => {
    switch (frame.type) {
      case 'welcome':
        return [frame.welcome];
      case 'hello':
        return [
          frame.groupId,
          frame.epoch,
          [...frame.epochIds],
          frame.heads.map((h): CborValue => [h.author, h.seq, h.head]),
          frame.reply,
        ];
      case 'epochs':
        return [frame.groupId, [...frame.commits]];
      case 'data':
        return [frame.groupId, frame.message];
      case 'groupinfo':
        return [frame.groupId, frame.groupInfo];
    }
  })();
  return encodeCbor([VERSION, type, ...body]);
}

const r: ShapeReader = new ShapeReader(
  (path, message) => new SyncError('SYNC_MALFORMED', `frame ${path}: ${message}`),
);

/** Throws SyncError SYNC_MALFORMED for anything that is not a well-formed frame. */
export function decodeDirectFrame(bytes: Uint8Array): DirectFrame {
  if (bytes.length > MAX_FRAME_BYTES) r.fail('', `larger than ${MAX_FRAME_BYTES} bytes`);
  let value: CborValue;
  try {
    value = decodeCbor(bytes, { maxDepth: 4 });
  } catch (cause) {
    throw new SyncError('SYNC_MALFORMED', 'frame is not deterministic CBOR', { cause });
  }
  const a = r.array(value, '');
  r.version(a[0], VERSION);
  const type = TYPES[r.uint(a[1], 'type', TYPES.length - 1)];
  switch (type) {
    case 'welcome':
      r.array(value, '', 3);
      return { type, welcome: r.bytes(a[2], 'welcome') };
    case 'hello':
      r.array(value, '', 7);
      return {
        type,
        groupId: r.bytes(a[2], 'groupId'),
        epoch: r.biguint(a[3], 'epoch'),
        epochIds: r.list(a[4], 'epochIds', MAX_EPOCH_IDS, (v, p) => r.bytes(v, p)),
        heads: r.list(a[5], 'heads', MAX_HEADS, (v, p) => {
          const [author, seq, head] = r.array(v, p, 3);
          return {
            author: r.bytes(author, `${p}.author`, 32),
            seq: r.uint(seq, `${p}.seq`),
            head: r.bytes(head, `${p}.head`, 32),
          };
        }),
        reply: r.bool(a[6], 'reply'),
      };
    case 'epochs':
      r.array(value, '', 4);
      return {
        type,
        groupId: r.bytes(a[2], 'groupId'),
        commits: r.list(a[3], 'commits', MAX_COMMITS, (v, p) => r.bytes(v, p)),
      };
    case 'data':
      r.array(value, '', 4);
      return { type, groupId: r.bytes(a[2], 'groupId'), message: r.bytes(a[3], 'message') };
    case 'groupinfo':
      r.array(value, '', 4);
      return { type, groupId: r.bytes(a[2], 'groupId'), groupInfo: r.bytes(a[3], 'groupInfo') };
    default:
      return r.fail('type', 'unknown frame type');
  }
}
