import type { ProposalWithSender, PublicMessage } from 'ts-mls';
import { refuse } from '../room/refusal.ts';
import { Roles } from '../room/roles.ts';
import { can, roleOf, type RoomState } from '../room/room-state.ts';
import type { ClientState } from 'ts-mls';
import type { CommitVerdict } from './commit-policy.ts';
import { deviceOfLeaf, memberDevices, type MemberDevice } from './leaves.ts';

/**
 * The device an external commit brings in: the leaf node of its update path. PublicMessages are
 * not encrypted, so every member can read it before processing the commit.
 */
export function externalJoiner(pm: PublicMessage): MemberDevice | undefined {
  const content = pm.content;
  if (content.contentType !== 'commit' || content.sender.senderType !== 'new_member_commit') {
    return undefined;
  }
  const leaf = content.commit.path?.leafNode;
  return leaf === undefined ? undefined : deviceOfLeaf(leaf, -1);
}

/**
 * An external commit is how a device that fell too far behind comes back (MIMI room policy:
 * canAddOwnClient, "via an external commit"). Allowed only for a device of a user who is still a
 * participant, carrying nothing but the ExternalInit and, for a resync, the Remove of that very
 * device's old leaf. Anyone else (a removed or banned user, a stranger) is refused by every member.
 */
export function checkExternalCommit(
  state: ClientState,
  room: RoomState,
  joiner: MemberDevice | undefined,
  proposals: readonly ProposalWithSender[],
): CommitVerdict {
  const fail = (
    code: 'NOT_A_MEMBER' | 'NOT_ALLOWED' | 'INVALID_CHANGE',
    m: string,
  ): CommitVerdict => ({
    ok: false,
    refusal: refuse(code, m),
  });
  if (joiner === undefined)
    return fail('INVALID_CHANGE', 'an external commit without a Kith device');
  if (roleOf(room, joiner.userId) < Roles.member) {
    return fail('NOT_A_MEMBER', 'only participants of the room may rejoin it');
  }
  if (!can(room, joiner.userId, 'canAddOwnClient')) {
    return fail('NOT_ALLOWED', 'your role may not bring your devices back into the room');
  }
  const byLeaf = new Map(memberDevices(state).map((d) => [d.leafIndex, d]));
  const removed: MemberDevice[] = [];
  let inits = 0;
  for (const p of proposals) {
    const proposal = p.proposal;
    if (proposal.proposalType === 'external_init') {
      inits++;
    } else if (proposal.proposalType === 'remove') {
      const target = byLeaf.get(proposal.remove.removed);
      if (target?.deviceId !== joiner.deviceId) {
        return fail('NOT_ALLOWED', 'an external commit may remove only the old leaf of its device');
      }
      removed.push(target);
    } else {
      return fail('INVALID_CHANGE', `an external commit carries ${String(proposal.proposalType)}`);
    }
  }
  if (inits !== 1) return fail('INVALID_CHANGE', 'an external commit needs one ExternalInit');
  if (removed.length === 0 && [...byLeaf.values()].some((d) => d.deviceId === joiner.deviceId)) {
    return fail('INVALID_CHANGE', 'the device is already in the group');
  }
  return {
    ok: true,
    commit: { room, added: [joiner], removed, leavers: new Set() },
  };
}
