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
import { checkCommit, type CommitVerdict } from './commit-policy.ts';
import { decryptApplication } from './decrypt-application.ts';
import { epochIdOf, type Committer, type EpochRecord, type FrameKind } from './epoch.ts';
import type { EpochChain, EpochPlace } from './epoch-chain.ts';
import { cutOffBy, sideWins } from './fork-choice.ts';
import { changeBetween } from './group-helpers.ts';
import { memberDevices } from './leaves.ts';
import { checkExternalCommit, externalJoiner } from './external.ts';
import { describe, rejected } from './group-helpers.ts';
import type { ReceiveOutcome } from './outcomes.ts';

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

/** A commit checked and applied to its parent epoch's state, with who made it. */
export interface AppliedCommit {
  readonly state: ClientState;
  readonly verdict: CommitVerdict;
  readonly committer: Committer | undefined;
}

/** A member's commit applied to its parent epoch, with every proposal checked by room policy. */
export async function applyPrivateCommit(
  parent: EpochRecord,
  pm: PrivateMessage,
  cs: CiphersuiteImpl,
): Promise<AppliedCommit | string> {
  let verdict: CommitVerdict | undefined;
  let committer: Committer | undefined;
  const callback: IncomingMessageCallback = (incoming) => {
    if (incoming.kind !== 'commit') return 'accept';
    const sender = memberDevices(parent.state).find(
      (d) => d.leafIndex === incoming.senderLeafIndex,
    );
    if (sender !== undefined) {
      committer = { user: sender.userId, device: sender.deviceId, external: false };
    }
    verdict = checkCommit(parent.state, parent.room, incoming.senderLeafIndex, incoming.proposals);
    return verdict.ok ? 'accept' : 'reject';
  };
  try {
    const r = await processPrivateMessage(parent.state, pm, emptyPskIndex, cs, callback);
    return verdict === undefined ? 'not a commit' : { state: r.newState, verdict, committer };
  } catch (error) {
    return describe(error);
  }
}

/**
 * An external commit (a device rejoining) applied to its parent epoch, checked likewise. The
 * parent is always the head (`receiveCommit`): the joiner is judged by the room as it is now.
 */
export async function applyExternalCommit(
  parent: EpochRecord,
  pm: PublicMessage,
  cs: CiphersuiteImpl,
): Promise<AppliedCommit | string> {
  const joiner = externalJoiner(pm);
  let verdict: CommitVerdict | undefined;
  const callback: IncomingMessageCallback = (incoming) => {
    if (incoming.kind !== 'commit') return 'reject';
    verdict = checkExternalCommit(parent.state, parent.room, joiner, incoming.proposals);
    return verdict.ok ? 'accept' : 'reject';
  };
  try {
    const r = await processPublicMessage(parent.state, pm, emptyPskIndex, cs, callback);
    if (verdict === undefined || joiner === undefined) return 'not a commit';
    return {
      state: r.newState,
      verdict,
      committer: { user: joiner.userId, device: joiner.deviceId, external: true },
    };
  } catch (error) {
    return describe(error);
  }
}

/**
 * One commit whose parent epoch is `parent`: checked by `apply` against the parent's state,
 * then appended when the parent is the head, or kept as a branch beside the chain, which the
 * device follows instead when fork choice says it wins (group/fork-choice.ts). An external
 * commit only ever extends the head: on an older epoch it never forks the chain.
 */
export async function receiveCommit(
  chain: EpochChain,
  bytes: Uint8Array,
  parent: EpochPlace,
  external: boolean,
  apply: (parent: EpochRecord) => Promise<AppliedCommit | string>,
): Promise<ReceiveOutcome> {
  if (chain.hasChild(parent.record.epochId, bytes)) return { kind: 'ignored', reason: 'duplicate' };
  const atHead = parent.on === 'main' && parent.index === chain.records.length - 1;
  const applied = parent.on === 'main' ? chain.at(parent.index + 1) : undefined;
  // Judged by the room as it is now, never by the room of the epoch an old GroupInfo named.
  if (external && !atHead) return { kind: 'ignored', reason: 'stale' };
  const result = await apply(parent.record);
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
    committer: result.committer,
  };
  if (atHead) {
    chain.append(record);
    return contest(chain) ?? { kind: 'commit', record, change: verdict.commit };
  }
  chain.addSide(record, parent.record.epochId);
  return (
    judge(chain, record.epochId) ?? {
      kind: 'ignored',
      reason: 'losing-commit',
      winner: applied?.commit,
    }
  );
}

/**
 * The branch ending at side epoch `tip` against the followed chain: switched to when it wins,
 * given up when it never can. Undefined when the device stays.
 */
function judge(chain: EpochChain, tip: Uint8Array): ReceiveOutcome | undefined {
  const branch = chain.branchTo(tip);
  if (branch === undefined) {
    chain.dropSide(tip);
    return undefined;
  }
  const fork = chain.at(branch.forkIndex);
  if (fork === undefined) return undefined;
  const main = chain.records.slice(branch.forkIndex + 1);
  if (sideWins(fork, main, branch.records)) {
    const lost = chain.switchTo(branch);
    let prev = fork;
    const applied = branch.records.map((record) => {
      const change = changeBetween(prev, record);
      prev = record;
      return { record, change };
    });
    const last = applied.at(-1);
    if (last === undefined) return undefined;
    return { kind: 'fork-switched', record: last.record, change: last.change, applied, lost };
  }
  if (cutOffBy(fork, main, branch.records)) chain.dropSide(tip);
  return undefined;
}

/** After the chain grew: a kept branch that now wins (the new commit cut one of its committers). */
function contest(chain: EpochChain): ReceiveOutcome | undefined {
  for (const tip of chain.sideTips()) {
    const outcome = judge(chain, tip);
    if (outcome !== undefined) return outcome;
  }
  return undefined;
}
