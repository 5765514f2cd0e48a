import { bytesEqual } from '../crypto/bytes.ts';
import type { ChainLink, PendingUpdate } from './author-chain.ts';
import { messageKey } from './entry.ts';
import { TimelineLimits } from './limits.ts';
import type { Replica } from './replica.ts';
import { decodeSignedUpdate } from './signed-update.ts';
import type { TimelineChange, TimelineMessage } from './timeline-message.ts';

/*
 * Verdicts after a fork switch. An update names its epoch by number, and a fork switch gives
 * the numbers from the fork on to the winning branch's epochs. A member that accepted an update
 * while it followed the losing branch (its author a member at that epoch there) may hold what
 * every member that only followed the winner refuses (its author removed on the winner at or
 * before that number) or still waits for (a number the winner has not reached). Yjs cannot take
 * an applied update back, so the replica is built again from its updates, each judged against
 * the control plane as it is now: the member ends with exactly what a member that never saw the
 * losing branch holds, whatever order things arrived in.
 */

/**
 * Whether an update of another author that names `fromEpoch` or a later epoch was accepted but
 * would not be now (refused, or waiting for its epoch). Cheap: one look at each link.
 */
export function hasDoubtfulLinks(r: Replica, fromEpoch: bigint, ownHex: string): boolean {
  const cp = r.controlPlane;
  for (const chain of r.chains.values()) {
    if (chain.hex === ownHex) continue;
    for (const link of chain.links) {
      if (!link.accepted || link.epoch < fromEpoch) continue;
      if (cp.knowsEpoch?.(link.epoch) === false || !cp.isMember(chain.author, link.epoch)) {
        return true;
      }
    }
  }
  return false;
}

export interface Rejudged {
  readonly replica: Replica;
  /** What users see change, from the old replica's timeline to the new one's. */
  readonly changes: TimelineChange[];
  /** Updates the old replica had linked that the new one does not (refused or waiting). */
  readonly withdrawn: number;
}

/**
 * `old` built again from its updates, judged as if they arrived now. This device's own updates
 * (`ownHex`) are kept as written. An author's updates after one that is refused are dropped
 * (sync brings them again should they ever fit); after one that waits for its epoch, they wait
 * too. Bodies are shared with `old`, so nothing stored is lost.
 */
export function rejudge(old: Replica, ownHex: string): Rejudged {
  const fresh = old.emptyTwin();
  let withdrawn = 0;
  for (const chain of old.chains.values()) {
    const twin = fresh.chainFor(chain.author);
    for (const e of chain.evidence) twin.recordFork(e);
    for (const link of chain.links) {
      if (twin.links.length === link.seq) {
        fresh.relink(twin, pendingOf(link), chain.hex === ownHex);
      } else if (twin.pending.has(twin.links.length)) {
        // The chain waits for an epoch: what follows waits behind it.
        if (twin.pendingCount < TimelineLimits.maxPendingPerAuthor)
          twin.addPending(pendingOf(link));
      }
      if (twin.links.length <= link.seq) withdrawn++;
    }
    for (const waiting of chain.pending.values()) for (const p of waiting) twin.addPending(p);
  }
  for (const twin of fresh.chains.values()) {
    fresh.drain(twin);
    if (twin.forkedAt !== undefined) fresh.reducer.hideFrom(twin.hex, twin.forkedAt);
  }
  // The new reducer's own changes (everything added) are not news: the difference is.
  fresh.settle();
  return { replica: fresh, changes: timelineDiff(old, fresh), withdrawn };
}

function pendingOf(link: ChainLink): PendingUpdate {
  return { update: decodeSignedUpdate(link.encoded), encoded: link.encoded, hash: link.hash };
}

function timelineDiff(before: Replica, after: Replica): TimelineChange[] {
  const byId = (r: Replica): Map<string, TimelineMessage> =>
    new Map(r.reducer.timeline().map((m) => [messageKey(m.messageId), m]));
  const old = byId(before);
  const now = byId(after);
  const changes: TimelineChange[] = [];
  for (const [key, was] of old) {
    const is = now.get(key);
    if (is === undefined) changes.push({ type: 'removed', messageId: was.messageId });
    else changes.push(...changed(was, is));
  }
  for (const [key, is] of now) if (!old.has(key)) changes.push({ type: 'added', message: is });
  return changes;
}

/** What differs between two views of one message built by two reducers (no shared entries). */
function changed(was: TimelineMessage, is: TimelineMessage): TimelineChange[] {
  if (was.lamport !== is.lamport || was.senderDevice !== is.senderDevice) {
    return [
      { type: 'removed', messageId: was.messageId },
      { type: 'added', message: is },
    ];
  }
  const out: TimelineChange[] = [];
  const latest = (m: TimelineMessage): Uint8Array | undefined => m.edits.at(-1)?.messageId;
  const a = latest(was);
  const b = latest(is);
  const sameVersion =
    was.retracted === is.retracted &&
    was.edits.length === is.edits.length &&
    (a === undefined || b === undefined ? a === b : bytesEqual(a, b));
  if (!sameVersion) out.push({ type: is.retracted ? 'retracted' : 'edited', message: is });
  if (!sameReactions(was.reactions, is.reactions)) out.push({ type: 'reactions', message: is });
  return out;
}

function sameReactions(
  a: ReadonlyMap<string, ReadonlySet<string>>,
  b: ReadonlyMap<string, ReadonlySet<string>>,
): boolean {
  if (a.size !== b.size) return false;
  for (const [text, users] of a) {
    const other = b.get(text);
    if (other?.size !== users.size) return false;
    for (const u of users) if (!other.has(u)) return false;
  }
  return true;
}
