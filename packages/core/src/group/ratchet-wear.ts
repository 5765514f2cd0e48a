import type { ClientState } from 'ts-mls';
import { ownLeafIndex } from './leaves.ts';

/**
 * How far this device's application ratchet has moved in the epoch of `state`: the number of
 * application messages it sent in that epoch. (ts-mls indexes the secret tree by node, and
 * leaf i is node 2i.)
 */
export function ownGeneration(state: ClientState): number {
  return state.secretTree[2 * ownLeafIndex(state)]?.application.generation ?? 0;
}

/**
 * When to start a new epoch: a receiver refuses a message more than
 * `maximumForwardRatchetSteps` ahead of the last it opened from that sender, so a member who
 * missed more than that in one epoch could never read this device again in it. Committing
 * before then keeps every gap under the limit, with room for one sync answer's batches.
 */
export function rotationPoint(state: ClientState, configured: number | undefined): number {
  return (
    configured ?? Math.floor(state.clientConfig.keyRetentionConfig.maximumForwardRatchetSteps * 0.8)
  );
}
