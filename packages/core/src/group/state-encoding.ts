import type { GroupState } from 'ts-mls/clientState.js';
import { contramapBufferEncoders, encode, type BufferEncoder } from 'ts-mls/codec/tlsEncoder.js';
import { bigintMapEncoder, varLenDataEncoder } from 'ts-mls/codec/variableLength.js';
import { epochReceiverDataEncoder } from 'ts-mls/epochReceiverData.js';
import { groupActiveStateEncoder } from 'ts-mls/groupActiveState.js';
import { groupContextEncoder } from 'ts-mls/groupContext.js';
import { keyScheduleEncoder } from 'ts-mls/keySchedule.js';
import { privateKeyPathEncoder } from 'ts-mls/privateKeyPath.js';
import { ratchetTreeEncoder } from 'ts-mls/ratchetTree.js';
import { secretTreeEncoder } from 'ts-mls/secretTree.js';
import { unappliedProposalsEncoder } from 'ts-mls/unappliedProposals.js';

/**
 * An encoder that keeps each value's bytes, by the value's identity. ts-mls never changes a
 * state's parts in place (each step builds new objects and shares the unchanged ones), so the
 * same object always encodes to the same bytes; a test checks the result against ts-mls's own
 * encoding along a group's life.
 */
function kept<T extends object>(encoder: BufferEncoder<T>): BufferEncoder<T> {
  const cache = new WeakMap<T, Uint8Array>();
  const full = encode(encoder);
  return (value) => {
    let bytes = cache.get(value);
    if (bytes === undefined) {
      bytes = full(value);
      cache.set(value, bytes);
    }
    const b = bytes;
    return [
      b.length,
      (offset, buffer) => {
        new Uint8Array(buffer).set(b, offset);
      },
    ];
  };
}

/**
 * ts-mls's `groupStateEncoder`, field for field, with the encodings of the parts an application
 * message leaves alone kept: the group context, the ratchet tree and each retained past epoch's
 * receiver data (a whole tree and secret tree each). A device stores its group state before
 * every message it sends (so a crash never reuses a key); encoding every retained epoch again
 * each time was most of that cost.
 */
const stateEncoder: BufferEncoder<GroupState> = contramapBufferEncoders(
  [
    kept(groupContextEncoder),
    keyScheduleEncoder,
    secretTreeEncoder,
    kept(ratchetTreeEncoder),
    privateKeyPathEncoder,
    varLenDataEncoder,
    unappliedProposalsEncoder,
    varLenDataEncoder,
    bigintMapEncoder(kept(epochReceiverDataEncoder)),
    groupActiveStateEncoder,
  ],
  (state: GroupState) =>
    [
      state.groupContext,
      state.keySchedule,
      state.secretTree,
      state.ratchetTree,
      state.privatePath,
      state.signaturePrivateKey,
      state.unappliedProposals,
      state.confirmationTag,
      state.historicalReceiverData,
      state.groupActiveState,
    ] as const,
);

/** The bytes of ts-mls's `encodeGroupState(state)`, computed reusing unchanged parts. */
export const encodeGroupStateKept: (state: GroupState) => Uint8Array = encode(stateEncoder);
