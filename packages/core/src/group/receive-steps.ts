import {
  emptyPskIndex,
  processPrivateMessage,
  processPublicMessage,
  type CiphersuiteImpl,
  type ClientState,
  type IncomingMessageCallback,
  type PrivateMessage,
  type PublicMessage,
} from 'ts-mls';
import { bytesEqual, compareBytes } from '../crypto/bytes.ts';
import { checkCommit, type CommitVerdict } from './commit-policy.ts';
import { decryptApplication } from './decrypt-application.ts';
import { commitRank, epochIdOf, type EpochRecord, type FrameKind } from './epoch.ts';
import type { EpochChain } from './epoch-chain.ts';
import { checkExternalCommit, externalJoiner } from './external.ts';
import { describe, rejected } from './group-helpers.ts';
import type { ReceiveOutcome } from './outcomes.ts';
import type { PendingMessages } from './pending.ts';

/*
 * The steps of receiving a group message, as functions of the parts of a ConversationGroup
 * they touch: its epoch chain, its held messages and its cipher suite.
 */

/** An application message or a proposal of an epoch held: opened with the head's ratchets. */
export async function receiveData(
  head: EpochRecord,
  pm: PrivateMessage,
  kind: FrameKind,
  cs: CiphersuiteImpl,
): Promise<ReceiveOutcome> {
  try {
    if (kind === 'application') {
      const opened = await decryptApplication(head.state, pm, cs);
      head.state = opened.newState;
      if (opened.sender === undefined) {
        return rejected('not-a-member', 'the sender is not a Kith device');
      }
      return {
        kind: 'application',
        sender: opened.sender,
        plaintext: opened.plaintext,
        epoch: pm.epoch,
      };
    }
    if (pm.epoch !== head.epoch) return { kind: 'ignored', reason: 'stale' };
    const result = await processPrivateMessage(head.state, pm, emptyPskIndex, cs);
    head.state = result.newState;
    return { kind: 'proposal' };
  } catch (error) {
    return rejected('undecryptable', describe(error));
  }
}

/** A member's commit applied to its parent epoch, with every proposal checked by room policy. */
export async function applyPrivateCommit(
  parent: EpochRecord,
  pm: PrivateMessage,
  cs: CiphersuiteImpl,
): Promise<{ state: ClientState; verdict: CommitVerdict } | string> {
  let verdict: CommitVerdict | undefined;
  const callback: IncomingMessageCallback = (incoming) => {
    if (incoming.kind !== 'commit') return 'accept';
    verdict = checkCommit(parent.state, parent.room, incoming.senderLeafIndex, incoming.proposals);
    return verdict.ok ? 'accept' : 'reject';
  };
  try {
    const r = await processPrivateMessage(parent.state, pm, emptyPskIndex, cs, callback);
    return verdict === undefined ? 'not a commit' : { state: r.newState, verdict };
  } catch (error) {
    return describe(error);
  }
}

/** An external commit (a device rejoining) applied to its parent epoch, checked likewise. */
export async function applyExternalCommit(
  parent: EpochRecord,
  pm: PublicMessage,
  cs: CiphersuiteImpl,
): Promise<{ state: ClientState; verdict: CommitVerdict } | string> {
  const joiner = externalJoiner(pm);
  let verdict: CommitVerdict | undefined;
  const callback: IncomingMessageCallback = (incoming) => {
    if (incoming.kind !== 'commit') return 'reject';
    verdict = checkExternalCommit(parent.state, parent.room, joiner, incoming.proposals);
    return verdict.ok ? 'accept' : 'reject';
  };
  try {
    const r = await processPublicMessage(parent.state, pm, emptyPskIndex, cs, callback);
    return verdict === undefined ? 'not a commit' : { state: r.newState, verdict };
  } catch (error) {
    return describe(error);
  }
}

/**
 * One commit of the epoch at `index`: ranked against the one applied there (if any), checked
 * by `apply` against the parent state, then appended, or swapped in for the loser.
 */
export async function receiveCommit(
  chain: EpochChain,
  pending: PendingMessages,
  bytes: Uint8Array,
  index: number,
  apply: (parent: EpochRecord) => Promise<{ state: ClientState; verdict: CommitVerdict } | string>,
): Promise<ReceiveOutcome> {
  const parent = chain.at(index);
  if (parent === undefined) return rejected('malformed', 'no parent epoch');
  const applied = chain.at(index + 1);
  const rank = commitRank(bytes);
  if (applied?.commit !== undefined) {
    if (bytesEqual(applied.commit, bytes)) return { kind: 'ignored', reason: 'duplicate' };
    if (compareBytes(rank, commitRank(applied.commit)) > 0) {
      return { kind: 'ignored', reason: 'losing-commit', winner: applied.commit };
    }
  }
  const result = await apply(parent);
  if (typeof result === 'string') return rejected('undecryptable', result);
  const { state: newState, verdict } = result;
  if (!verdict.ok) {
    return rejected(
      verdict.refusal.code === 'NOT_A_MEMBER' ? 'not-a-member' : 'not-allowed',
      verdict.refusal.message,
      verdict.refusal,
    );
  }
  const record: EpochRecord = {
    epoch: newState.groupContext.epoch,
    epochId: epochIdOf(newState),
    state: newState,
    room: verdict.commit.room,
    commit: bytes,
    committedByMe: false,
  };
  if (applied === undefined) {
    chain.append(record);
    return { kind: 'commit', record, change: verdict.commit };
  }
  const lost = chain.abandonAfter(index);
  for (const r of lost) pending.drop(r.epochId);
  chain.append(record);
  return { kind: 'fork-switched', record, change: verdict.commit, lost };
}
