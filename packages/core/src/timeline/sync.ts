import { bytesEqual } from '../crypto/bytes.ts';
import type { AuthorChain } from './author-chain.ts';
import { encodeSignedUpdate } from './signed-update.ts';

/** The head of one author's chain as a member holds it: its last seq and that update's hash. */
export interface ChainHead {
  readonly seq: number;
  readonly head: Uint8Array;
}

/** Chain heads by author public key (lowercase hex): what a member has, for sync. */
export type TimelineStateVector = ReadonlyMap<string, ChainHead>;

export function stateVectorOf(chains: Iterable<AuthorChain>): Map<string, ChainHead> {
  const out = new Map<string, ChainHead>();
  for (const chain of chains) {
    const head = chain.head;
    if (head !== undefined) out.set(chain.hex, { seq: head.seq, head: head.hash });
  }
  return out;
}

/**
 * The encoded signed updates a member with state vector `theirs` lacks, each author's in chain
 * order (authors never reference each other's items, so any interleaving of authors applies).
 * Where their head differs from our update at the same seq they hold another branch: the whole
 * chain goes, so that they find the lowest seq where the branches part (the fork point every
 * member must agree on). Fork evidence goes along every time; duplicates cost the receiver a
 * hash.
 */
export function encodedUpdatesSince(
  chains: Iterable<AuthorChain>,
  theirs: TimelineStateVector,
  attach: (chain: AuthorChain, seq: number, encoded: Uint8Array) => Uint8Array = (_c, _s, e) => e,
): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const chain of chains) {
    const their = theirs.get(chain.hex);
    let from = 0;
    if (their !== undefined) {
      const ours = chain.links[their.seq];
      if (ours === undefined) from = chain.links.length;
      else if (bytesEqual(ours.hash, their.head)) from = their.seq + 1;
    }
    for (let seq = from; seq < chain.links.length; seq++) {
      out.push(attach(chain, seq, (chain.links[seq] as { encoded: Uint8Array }).encoded));
    }
    for (const e of chain.evidence)
      out.push(encodeSignedUpdate(e.first), encodeSignedUpdate(e.second));
  }
  return out;
}
