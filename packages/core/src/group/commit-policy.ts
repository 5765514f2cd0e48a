import type { ClientState, Extension, Proposal, ProposalWithSender } from 'ts-mls';
import type { UserId } from '../ids.ts';
import { authorizeRoomChange } from '../room/authorize.ts';
import { checkCuts } from '../room/cuts.ts';
import { refuse, type Refusal } from '../room/refusal.ts';
import { Roles } from '../room/roles.ts';
import { decodeRoomState, ROOM_STATE_EXTENSION_TYPE } from '../room/room-state-codec.ts';
import { can, roleOf, type RoomState } from '../room/room-state.ts';
import { deviceOfKeyPackage, memberDevices, type MemberDevice } from './leaves.ts';

/** What a commit does, once every member has found it allowed. */
export interface CheckedCommit {
  readonly room: RoomState;
  readonly added: readonly MemberDevice[];
  readonly removed: readonly MemberDevice[];
  /** Users who left by removing their own devices. */
  readonly leavers: ReadonlySet<UserId>;
}

/** Whether every member must accept a commit (and what it does), or why they refuse it. */
export type CommitVerdict =
  | { readonly ok: true; readonly commit: CheckedCommit }
  | { readonly ok: false; readonly refusal: Refusal };

/**
 * The control-plane check every member runs on every commit (and the committer before
 * committing): only known proposal types; each proposal allowed for the member who proposed
 * it; the room-state change allowed for its proposer; and afterwards devices and users in step
 * (every device belongs to a participant, every participant has a device, nobody banned).
 */
export function checkCommit(
  state: ClientState,
  room: RoomState,
  committerLeaf: number | undefined,
  proposals: readonly ProposalWithSender[],
): CommitVerdict {
  const fail = (refusal: Refusal): CommitVerdict => ({ ok: false, refusal });
  const before = memberDevices(state);
  const byLeaf = new Map(before.map((d) => [d.leafIndex, d]));
  const committer = committerLeaf === undefined ? undefined : byLeaf.get(committerLeaf);
  if (committer === undefined) {
    return fail(refuse('NOT_A_MEMBER', 'commits come from member devices'));
  }
  const senderOf = (p: ProposalWithSender): MemberDevice | undefined =>
    p.senderLeafIndex === undefined ? committer : byLeaf.get(p.senderLeafIndex);

  let newRoom = room;
  let roomActor: UserId = committer.userId;
  const added: MemberDevice[] = [];
  const removed: MemberDevice[] = [];
  const removalsBy = new Map<UserId, { own: number }>();
  let gceSeen = false;

  for (const p of proposals) {
    const sender = senderOf(p);
    if (sender === undefined) return fail(refuse('NOT_A_MEMBER', 'a proposal from a non-member'));
    const proposal: Proposal = p.proposal;
    switch (proposal.proposalType) {
      case 'add': {
        const device = deviceOfKeyPackage(proposal.add.keyPackage);
        if (device === undefined) return fail(refuse('INVALID_CHANGE', 'not a Kith device'));
        added.push(device);
        break;
      }
      case 'remove': {
        const target = byLeaf.get(proposal.remove.removed);
        if (target === undefined) return fail(refuse('INVALID_CHANGE', 'removing a blank leaf'));
        removed.push(target);
        if (target.userId === sender.userId) {
          const entry = removalsBy.get(sender.userId) ?? { own: 0 };
          entry.own++;
          removalsBy.set(sender.userId, entry);
        }
        break;
      }
      case 'update':
        break;
      case 'group_context_extensions': {
        if (gceSeen) return fail(refuse('INVALID_CHANGE', 'two room-state changes in one commit'));
        gceSeen = true;
        const decoded = roomStateOf(proposal.groupContextExtensions.extensions);
        if (decoded === undefined) {
          return fail(refuse('INVALID_CHANGE', 'a GroupContext without a valid room state'));
        }
        newRoom = decoded;
        roomActor = sender.userId;
        break;
      }
      default:
        return fail(refuse('INVALID_CHANGE', `proposal type ${String(proposal.proposalType)}`));
    }
  }

  // Devices after the commit, per user.
  const removedLeaves = new Set(removed.map((d) => d.leafIndex));
  const after = [...before.filter((d) => !removedLeaves.has(d.leafIndex)), ...added];
  const devicesOf = new Map<UserId, number>();
  for (const d of after) devicesOf.set(d.userId, (devicesOf.get(d.userId) ?? 0) + 1);
  const leavers = new Set<UserId>();
  for (const [user] of removalsBy) if (!devicesOf.has(user)) leavers.add(user);

  if (roleOf(room, committer.userId) < Roles.member && !leavers.has(committer.userId)) {
    return fail(refuse('NOT_A_MEMBER', 'the committer is not a participant'));
  }
  if (newRoom !== room) {
    const refusal = authorizeRoomChange(room, newRoom, roomActor, { leavers });
    if (refusal !== undefined) return fail(refusal);
  }

  for (const p of proposals) {
    const sender = senderOf(p);
    if (sender === undefined) continue;
    const refusal = checkMembershipProposal(p.proposal, sender, room, newRoom, byLeaf);
    if (refusal !== undefined) return fail(refusal);
  }
  for (const d of after) {
    if (roleOf(newRoom, d.userId) < Roles.member) {
      return fail(refuse('INVALID_CHANGE', `device of ${d.userId} without a participant role`));
    }
  }
  for (const [user, role] of newRoom.participants) {
    if (role >= Roles.member && !devicesOf.has(user)) {
      return fail(refuse('INVALID_CHANGE', `participant ${user} would have no device`));
    }
  }
  // Removals and role changes cut the devices' timelines (room/cuts.ts).
  const cutRefusal = checkCuts(room, newRoom, before, after, state.groupContext.epoch + 1n);
  if (cutRefusal !== undefined) return fail(cutRefusal);
  return { ok: true, commit: { room: newRoom, added, removed, leavers } };
}

function checkMembershipProposal(
  proposal: Proposal,
  sender: MemberDevice,
  room: RoomState,
  newRoom: RoomState,
  byLeaf: ReadonlyMap<number, MemberDevice>,
): Refusal | undefined {
  if (proposal.proposalType === 'add') {
    const device = deviceOfKeyPackage(proposal.add.keyPackage);
    if (device === undefined) return refuse('INVALID_CHANGE', 'not a Kith device');
    if (roleOf(newRoom, device.userId) === Roles.banned) {
      return refuse('BANNED', `${device.userId} is banned: unban them first, then invite them`);
    }
    const wasParticipant = roleOf(room, device.userId) >= Roles.member;
    if (!wasParticipant) return undefined; // joining the room: authorized by the room change
    if (device.userId === sender.userId) {
      return can(room, sender.userId, 'canAddOwnClient')
        ? undefined
        : refuse('NOT_ALLOWED', 'your role may not add your own devices');
    }
    return can(room, sender.userId, 'canAddParticipant')
      ? undefined
      : refuse('NOT_ALLOWED', "your role may not add another user's devices");
  }
  if (proposal.proposalType === 'remove') {
    const target = byLeaf.get(proposal.remove.removed);
    if (target === undefined) return refuse('INVALID_CHANGE', 'removing a blank leaf');
    if (target.userId === sender.userId) return undefined; // own device, or leaving
    if (roleOf(newRoom, target.userId) < Roles.member) return undefined; // user removed or banned
    return can(room, sender.userId, 'canKick')
      ? undefined
      : refuse('NOT_ALLOWED', "your role may not remove another user's devices");
  }
  return undefined;
}

export function roomStateOf(extensions: readonly Extension[]): RoomState | undefined {
  const ext = extensions.find((e) => e.extensionType === ROOM_STATE_EXTENSION_TYPE);
  if (ext === undefined) return undefined;
  try {
    return decodeRoomState(ext.extensionData);
  } catch {
    return undefined;
  }
}
