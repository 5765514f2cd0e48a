import type { Proposal } from 'ts-mls';
import { toHex } from '../crypto/bytes.ts';
import type { CheckedCommit } from '../group/commit-policy.ts';
import type { EpochRecord } from '../group/epoch.ts';
import { deviceOfKeyPackage } from '../group/leaves.ts';
import { ownGeneration, rotationPoint } from '../group/ratchet-wear.ts';
import type { UserId } from '../ids.ts';
import { Roles } from '../room/roles.ts';
import { withParticipant } from '../room/room-state.ts';
import { encodeDirectFrame } from '../sync/frames.ts';
import { ClientError } from './errors.ts';
import type { Intent } from './intent.ts';
import type { SessionCore } from './room-session.ts';
import { memberKeys, remaining, roomChangedBeyondMembers } from './session-helpers.ts';

/**
 * What a room session does when its MLS group moves to a new epoch: by a commit (its own
 * change, or a member's), by a fork resolved in favour of another branch, by proposals it
 * commits for others, or by a rotation before its own ratchet wears out. Each stores the new
 * epoch and queues the events it makes; they go out at the session's next flush.
 */

/**
 * Commits a control-plane change, remembered to make again should its epoch lose a fork, and
 * hands the Welcome to each device it adds; a refusal throws a ClientError and changes nothing.
 */
export async function commitIntent(core: SessionCore, intent: Intent): Promise<void> {
  const s = core.session;
  const room = intent.room(s.group.room);
  const proposals: Proposal[] = intent.adds.map((kp) => ({
    proposalType: 'add',
    add: { keyPackage: kp },
  }));
  for (const user of intent.removeUsers) {
    for (const m of s.members()) {
      if (m.userId === user)
        proposals.push({ proposalType: 'remove', remove: { removed: m.leafIndex } });
    }
  }
  for (const m of s.members()) {
    if (intent.removeDevices.includes(m.deviceId)) {
      proposals.push({ proposalType: 'remove', remove: { removed: m.leafIndex } });
    }
  }
  if (proposals.length === 0 && room === undefined) return;
  const result = await s.group.commit(proposals, room, s.doc.stateVector());
  if (!result.ok) throw new ClientError(result.refusal.code, result.refusal.message);
  s.queue(s.intents.committed(result.record.epochId, intent));
  afterEpoch(core, result.record, result.change);
  await s.flush();
  await core.publish(result.commit);
  if (result.welcome !== undefined) {
    const frame = encodeDirectFrame({ type: 'welcome', welcome: result.welcome });
    for (const kp of intent.adds) {
      const device = deviceOfKeyPackage(kp);
      if (device === undefined) continue;
      s.pendingWelcomes.set(device.deviceId, frame);
      await s.sendTo(device.deviceId, frame);
    }
  }
}

/** Records a new epoch: stores it, drops the one now beyond retention, and queues its events. */
export function afterEpoch(core: SessionCore, record: EpochRecord, change: CheckedCommit): void {
  const s = core.session;
  const wasRoom = s.history.roomAt(s.history.currentEpoch());
  s.history.record([record]);
  s.queue([s.store.putEpoch(record), s.store.putHistory(record)]);
  // Remember every device ever seen, to vouch for its history to later members.
  for (const d of change.added) s.queue([s.store.putAuthor(d.publicKey, d.certificate)]);
  const oldest = s.group.chain[0]?.epoch;
  if (oldest !== undefined && oldest > 0n) s.queue([s.store.delEpoch(oldest - 1n)]);
  s.queue(s.intents.prune(s.group.chain));
  s.doc.applyCuts();
  s.doc.retryPending();
  s.embargo.keepOnly(s.members().map((m) => toHex(m.publicKey)));
  const added = [...new Set(change.added.map((d) => d.userId))].filter(
    (u) =>
      wasRoom === undefined ||
      !wasRoom.participants.has(u) ||
      (wasRoom.participants.get(u) ?? 0) < Roles.member,
  );
  const removed = [...new Set(change.removed.map((d) => d.userId))].filter(
    (u) => (change.room.participants.get(u) ?? 0) < Roles.member,
  );
  if (added.length > 0 || removed.length > 0) {
    core.note({ type: 'membership', roomId: s.roomId, added, removed, room: change.room });
  }
  if (wasRoom !== undefined && roomChangedBeyondMembers(wasRoom, change.room)) {
    core.note({ type: 'room', roomId: s.roomId, room: change.room });
  }
  if (!s.group.active) core.note({ type: 'left', roomId: s.roomId });
}

/**
 * The group switched to another branch of a fork: devices removed on the lost branch but
 * members on the winner are embargoed, the lost epochs are forgotten, and this device's own
 * changes on the lost branch (marked in the intent log in the same batch) and its outbox are
 * made again on the winner.
 */
export async function afterFork(
  core: SessionCore,
  applied: readonly { readonly record: EpochRecord; readonly change: CheckedCommit }[],
  lost: readonly EpochRecord[],
): Promise<void> {
  const s = core.session;
  const chain = s.group.chain;
  const first = applied[0]?.record;
  const fork = first === undefined ? undefined : chain[chain.indexOf(first) - 1];
  const last = lost.at(-1);
  if (fork !== undefined && last !== undefined) {
    s.embargo.afterSwitch(
      memberKeys(fork),
      memberKeys(last),
      s.members().map((m) => toHex(m.publicKey)),
    );
  }
  s.queue(s.intents.undone(lost.filter((r) => r.committedByMe).map((r) => r.epochId)));
  // The abandoned branch's epochs beyond the winner's head must not come back on reopening;
  // the winner may also push more than one epoch out of retention.
  const head = s.group.head;
  for (const r of lost) {
    if (r.epoch > head.epoch) s.queue([s.store.delEpoch(r.epoch), s.store.delHistory(r.epoch)]);
  }
  const oldest = chain[0]?.epoch ?? 0n;
  for (let i = 2n; i <= BigInt(applied.length) && oldest >= i; i++) {
    s.queue([s.store.delEpoch(oldest - i)]);
  }
  for (const a of applied) afterEpoch(core, a.record, a.change);
  // Updates accepted on the lost branch named its epoch numbers, which now mean the winner's:
  // judged again, and the snapshot rewritten, so a reopen starts from the new verdicts.
  if (first !== undefined && s.doc.reconsider(first.epoch) > 0) {
    s.queue([s.store.putSnapshot(s.doc.snapshot({ bodies: false }))]);
  }
  await s.flush();
  await makeIntentsAgain(core);
  await catchUpOwnEpochs(core);
  await s.resendOutbox();
}

/** Makes again, on the chain followed now, each change of this device a fork undid. */
export async function makeIntentsAgain(core: SessionCore): Promise<void> {
  const s = core.session;
  const undone = s.intents.toMakeAgain();
  if (undone.length === 0) return;
  for (const { seq, intent } of undone) {
    s.queue(s.intents.settled(seq));
    try {
      await s.change(remaining(intent, s.group.room, s.members()));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      core.note({
        type: 'rejected',
        roomId: s.roomId,
        reason: `re-applying a change after a fork: ${reason}`,
      });
    }
  }
  await s.flush();
}

/**
 * What this device wrote on the lost branch names that branch's epoch numbers, and members
 * hold an update until their chain reaches the number it names (they cannot judge it before).
 * When the winner is shorter and nothing else moves it on, those updates would wait for ever;
 * so the chain is taken there with empty commits (at most as many as a fork can reach back).
 */
async function catchUpOwnEpochs(core: SessionCore): Promise<void> {
  const s = core.session;
  const target = s.doc.highestOwnEpoch;
  const limit = core.env.groupOptions.retainEpochs ?? 16;
  for (let i = 0; i < limit && target !== undefined && s.group.active; i++) {
    if (s.group.head.epoch >= target) return;
    const result = await s.group.commit([], undefined);
    if (!result.ok) return;
    afterEpoch(core, result.record, result.change);
    await s.flush();
    await core.publish(result.commit);
  }
}

/**
 * Commits proposals waiting in this epoch (members leaving) when this device is the
 * designated committer: the remaining member with the lowest leaf index. Others commit
 * them from `tick` if the designated one stays silent (`force`).
 */
export async function commitPendingProposals(core: SessionCore, force = false): Promise<void> {
  const s = core.session;
  const pending = s.group.pendingProposals();
  if (pending.length === 0 || !s.group.active) return;
  const leaving = new Set<UserId>();
  const byLeaf = new Map(s.members().map((m) => [m.leafIndex, m]));
  for (const p of pending) {
    if (p.proposal.proposalType !== 'remove') continue;
    const sender = p.senderLeafIndex === undefined ? undefined : byLeaf.get(p.senderLeafIndex);
    const target = byLeaf.get(p.proposal.remove.removed);
    if (target !== undefined && sender?.userId === target.userId) leaving.add(target.userId);
  }
  const staying = s.members().filter((m) => !leaving.has(m.userId));
  const self = s.group.self();
  if (!force && staying[0]?.leafIndex !== self?.leafIndex) return;
  let room = s.group.room;
  for (const user of leaving) room = withParticipant(room, user, Roles.none);
  const result = await s.group.commit(
    [],
    room === s.group.room ? undefined : room,
    s.doc.stateVector(),
  );
  if (!result.ok) return;
  afterEpoch(core, result.record, result.change);
  await s.flush();
  await core.publish(result.commit);
}

/**
 * Starts a new epoch (an empty commit, which refreshes this device's path) once this device
 * has sent so many messages in the current one that a member who missed them all could no
 * longer open the next (see group/ratchet-wear.ts).
 */
export async function rotateIfWorn(core: SessionCore): Promise<void> {
  const s = core.session;
  const state = s.group.head.state;
  if (ownGeneration(state) < rotationPoint(state, core.env.groupOptions.rotateAfterMessages)) {
    return;
  }
  const result = await s.group.commit([], undefined, s.doc.stateVector());
  if (!result.ok) return;
  afterEpoch(core, result.record, result.change);
  await s.flush();
  await core.publish(result.commit);
}
