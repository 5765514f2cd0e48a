import { bytesEqual } from '../crypto/bytes.ts';
import type { ChainLink } from './author-chain.ts';
import type { TimelineCut } from './control-plane.ts';

/**
 * How the cuts of a device's timeline (room/cuts.ts) judge its updates. Cuts are sorted by seq;
 * a device can be cut several times (removed, re-added, re-roled).
 */

/** The cut an update at `seq` comes before (its last authority), if any. */
export function coveringCut(cuts: readonly TimelineCut[], seq: number): TimelineCut | undefined {
  return cuts.find((c) => seq < c.seq);
}

/**
 * Why an update at `seq`, naming `epoch` and hashing to `hash`, is refused by the cuts, or
 * undefined when they allow it (membership is then still checked as usual):
 *
 * - `off-cut`: the cut recorded another update at this seq as the device's last;
 * - `beyond-cut`: after a removal, only updates naming an epoch from the removal on count
 *   (the device must then be a member again), so a removed device cannot write under an
 *   epoch whose keys it kept.
 */
export function cutRefusal(
  cuts: readonly TimelineCut[],
  seq: number,
  epoch: bigint,
  hash: Uint8Array,
): 'off-cut' | 'beyond-cut' | undefined {
  for (const c of cuts) {
    if (seq === c.seq - 1 && !bytesEqual(hash, c.head)) return 'off-cut';
    if (c.removed && seq >= c.seq && epoch < c.epoch) return 'beyond-cut';
  }
  return undefined;
}

/** The lowest seq of an accepted link that the cuts now refuse (they came after it). */
export function firstCutLink(
  cuts: readonly TimelineCut[],
  links: readonly ChainLink[],
): number | undefined {
  for (const link of links) {
    if (!link.accepted) continue;
    if (cutRefusal(cuts, link.seq, link.epoch, link.hash) !== undefined) return link.seq;
  }
  return undefined;
}
