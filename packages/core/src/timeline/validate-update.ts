import type * as Y from 'yjs';
import { bytesEqual } from '../crypto/bytes.ts';
import type { AuthorChain } from './author-chain.ts';
import { cutRefusal } from './cut-rules.ts';
import type { ControlPlaneView } from './control-plane.ts';
import { TimelineLimits } from './limits.ts';
import { GENESIS_PREV, shapeProblem, type SignedUpdate } from './signed-update.ts';
import type { RejectReason } from './verdict.ts';
import { checkYjsUpdate, type YjsCheck } from './yjs-check.ts';

/**
 * The checks on a signed update, in the order the document runs them:
 *
 * 1. `precheck`: shape, size and room, before anything is hashed or verified;
 * 2. duplicate, signature, and the update's place in the author's chain (gap: pending;
 *    a seq already used: equivocation), see `AuthorChain.place` and `checkPrev`;
 * 3. `judgeLink`, for the update that extends the author's chain: the author's cuts
 *    (cut-rules.ts), membership in its epoch, generation, then the Yjs content.
 *
 * Each verdict depends only on the update, the author's earlier updates and the control
 * plane's answer for the epoch the update names, never on arrival order.
 */

export interface Refusal {
  readonly reason: RejectReason;
  readonly detail: string;
}

export function precheck(u: SignedUpdate, room: Uint8Array): Refusal | undefined {
  const problem = shapeProblem(u);
  if (problem !== undefined) return { reason: 'malformed', detail: problem };
  if (u.update.length > TimelineLimits.maxUpdateBytes) {
    return { reason: 'too-large', detail: `Yjs update of ${u.update.length} bytes` };
  }
  if (!bytesEqual(u.room, room)) return { reason: 'wrong-room', detail: 'update for another room' };
  return undefined;
}

/**
 * For an update at the end of its author's chain: 'ok', a refusal that is not a fork
 * (seq 0 with a non-zero prev), or 'fork' when `prev` names another predecessor.
 */
export function checkPrev(u: SignedUpdate, chain: AuthorChain): 'ok' | 'fork' | Refusal {
  if (u.seq === 0) {
    return bytesEqual(u.prev, GENESIS_PREV)
      ? 'ok'
      : { reason: 'bad-prev', detail: 'seq 0 must have 32 zero bytes as prev' };
  }
  const previous = chain.links[u.seq - 1];
  return previous !== undefined && bytesEqual(previous.hash, u.prev) ? 'ok' : 'fork';
}

export type LinkDecision =
  /** The control plane has not reached the update's epoch yet. */
  | { readonly kind: 'wait' }
  /**
   * `linked`: the update still takes its place in the author's chain (stored, forwarded, later
   * updates follow it). Every refusal for what the author wrote is linked; a non-member's update
   * is not, so nobody can make members store and forward updates of arbitrary keys.
   */
  | ({ readonly kind: 'refused'; readonly linked: boolean } & Refusal)
  | { readonly kind: 'accepted'; readonly check: YjsCheck & { readonly ok: true } };

/** Judges the update that extends `chain` (its signature and prev already checked). */
export function judgeLink(
  u: SignedUpdate,
  hash: Uint8Array,
  chain: AuthorChain,
  doc: Y.Doc,
  controlPlane: ControlPlaneView,
): LinkDecision {
  if (controlPlane.knowsEpoch?.(u.epoch) === false) return { kind: 'wait' };
  // Removals and role changes cut the author's chain where the committer saw its head.
  const cut = cutRefusal(controlPlane.cutsOf?.(chain.hex) ?? [], u.seq, u.epoch, hash);
  if (cut !== undefined) {
    const detail =
      cut === 'off-cut'
        ? `seq ${u.seq} is not the update its cut recorded`
        : `written after the device was removed, naming epoch ${u.epoch}`;
    return { kind: 'refused', linked: false, reason: cut, detail };
  }
  if (!controlPlane.isMember(u.author, u.epoch)) {
    return {
      kind: 'refused',
      linked: false,
      reason: 'not-member',
      detail: `not a member in epoch ${u.epoch}`,
    };
  }
  const previous = chain.links[u.seq - 1];
  const allowed = previous === undefined ? [0] : [previous.generation, previous.generation + 1];
  if (!allowed.includes(u.generation)) {
    return {
      kind: 'refused',
      linked: true,
      reason: 'bad-generation',
      detail: `generation ${u.generation}, expected ${allowed.join(' or ')}`,
    };
  }
  let check: YjsCheck;
  try {
    check = checkYjsUpdate(doc, chain, u.seq, u.generation, u.update);
  } catch (error) {
    // Yjs internals can throw on inputs its decoder let through; that is a malformed update.
    check = {
      ok: false,
      reason: 'malformed-yjs',
      detail: error instanceof Error ? error.message : 'unexpected failure',
    };
  }
  if (!check.ok) {
    return { kind: 'refused', linked: true, reason: check.reason, detail: check.detail };
  }
  return { kind: 'accepted', check };
}
