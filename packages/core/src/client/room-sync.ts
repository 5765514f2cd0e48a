import { fromHex, toHex } from '../crypto/bytes.ts';
import { isAhead } from './session-helpers.ts';
import type { DeviceId } from '../ids.ts';
import type { DirectFrame } from '../sync/frames.ts';
import type { ChainHead } from '../timeline/sync.ts';
import type { SyncStatus } from './events.ts';
import type { RoomSession } from './room-session.ts';

/**
 * The sync protocol of docs/PROTOCOL.md ("Sync") for one room: a member says where it stands
 * (hello); the other answers with the commits it lacks (epochs) and then the signed updates it
 * lacks (data, sealed as MLS messages of the current epoch). Both sides do the same, so one
 * exchange brings both up to date. Only member devices get answers.
 */
export function helloFrame(session: RoomSession, reply: boolean): DirectFrame {
  const heads = [...session.doc.stateVector()].map(([hex, h]) => ({
    author: fromHex(hex) ?? new Uint8Array(),
    seq: h.seq,
    head: h.head,
  }));
  return {
    type: 'hello',
    groupId: session.group.groupId,
    epoch: session.group.head.epoch,
    epochIds: session.group.chain.map((r) => r.epochId),
    heads,
    reply,
  };
}

async function answerHello(
  session: RoomSession,
  from: DeviceId,
  frame: Extract<DirectFrame, { type: 'hello' }>,
  ownKeyHex: string,
): Promise<void> {
  const member = session.members().find((m) => m.deviceId === from);
  if (member === undefined) return;
  const theirs = new Map<string, ChainHead>(
    frame.heads.map((h) => [toHex(h.author), { seq: h.seq, head: h.head }]),
  );
  const before = session.peers.get(from)?.tickHeads;
  session.heardFrom(from, { latestEpochId: frame.epochIds.at(-1), heads: theirs }, frame.reply);

  const commits = session.group.commitsAfter(frame.epochIds);
  if (commits !== undefined && commits.length > 0) {
    await session.sendFrame(from, { type: 'epochs', groupId: session.group.groupId, commits });
  }
  const theirHead = frame.epochIds.at(-1);
  if (
    commits === undefined &&
    theirHead !== undefined &&
    aheadOf(session, frame.epoch, theirHead)
  ) {
    // No epoch in common: the peer fell further behind than this device keeps epochs, or the
    // two went apart for that long. The chain ahead wins; the other side rejoins it.
    const groupInfo = await session.group.groupInfo();
    await session.sendFrame(from, { type: 'groupinfo', groupId: session.group.groupId, groupInfo });
  }
  if (!session.embargo.holds(member.publicKey)) {
    // Content written while the room shared history only with its members of the time goes
    // without its bodies to a user who was not one (docs/PROTOCOL.md §6.1).
    const missing = session.doc.encodedUpdatesSince(stalledOnly(session, theirs, before), (epoch) =>
      session.history.mayShare(member.userId, epoch),
    );
    for (const message of await session.sealUpdates(missing)) {
      await session.sendFrame(from, { type: 'data', groupId: session.group.groupId, message });
    }
  }
  const own = theirs.get(ownKeyHex);
  const ours = session.doc.stateVector().get(ownKeyHex);
  if (own !== undefined && ours !== undefined && own.seq <= ours.seq) session.acknowledge(own.seq);
  await session.flush();
  if (!frame.reply) await session.sendFrame(from, helloFrame(session, true));
}

/**
 * The heads to answer a hello against: the peer's, except for authors whose chain it has been
 * receiving since its previous hello of its own (its head moved forward on the branch this device
 * holds), taken as held up to this device's head. What it lacks of those is most likely on its
 * way by gossip already: answering with it as well made a busy room send every message again in
 * each sync answer, and the devices that spent their time on those copies fell further behind,
 * which made the next answers bigger still. A chain that stops moving on the peer (a lost
 * message: its head cannot pass it) is answered at its next hello, as are its first hello, a
 * peer on another branch of a chain and every chain of a peer that received nothing in between.
 */
function stalledOnly(
  session: RoomSession,
  theirs: ReadonlyMap<string, ChainHead>,
  before: ReadonlyMap<string, ChainHead> | undefined,
): ReadonlyMap<string, ChainHead> {
  if (before === undefined) return theirs;
  const ours = session.doc.stateVector();
  let asked: Map<string, ChainHead> | undefined;
  for (const [author, their] of theirs) {
    const mine = ours.get(author);
    const moved = their.seq > (before.get(author)?.seq ?? -1);
    if (mine === undefined || !moved || their.seq >= mine.seq) continue;
    if (!session.doc.holds(author, their)) continue;
    asked ??= new Map(theirs);
    asked.set(author, mine);
  }
  return asked ?? theirs;
}

/** Handles a hello, epochs or data frame from `from` for this room. */
export async function handleSyncFrame(
  session: RoomSession,
  from: DeviceId,
  frame: Exclude<DirectFrame, { type: 'welcome' }>,
  ownKeyHex: string,
): Promise<void> {
  switch (frame.type) {
    case 'hello':
      await answerHello(session, from, frame, ownKeyHex);
      break;
    case 'epochs':
      for (const commit of frame.commits) await session.receiveGroupMessage(commit);
      break;
    case 'data':
      await session.receiveGroupMessage(frame.message);
      break;
    case 'groupinfo':
      if (await session.rejoin(frame.groupInfo, from)) {
        await session.sendFrame(from, helloFrame(session, false));
      }
      break;
  }
  session.reportSync(syncStatusOf(session));
  await session.flush();
}

export function syncStatusOf(s: RoomSession): SyncStatus {
  return {
    roomId: s.roomId,
    epoch: s.group.head.epoch,
    complete:
      s.peers.nothingMissing(s.group.chain, s.doc.stateVector()) &&
      s.doc.pendingCount === 0 &&
      s.group.pendingCount === 0,
    waitingUpdates: s.doc.pendingCount,
    waitingEpochs: s.group.pendingCount,
    unsent: s.outbox.size,
  };
}

/**
 * A room's share of the client's periodic work: resend what no member confirmed, commit
 * proposals nobody committed, say hello to reachable members, and re-deliver Welcomes. A device
 * with input waiting (`idle` false: a busy room) leaves the resends and hellos to a later tick:
 * the confirmations of its updates and what a hello would ask for are most likely in that
 * input, and resending or answering would send it all again, to devices that are behind too.
 */
export async function tickRoom(
  s: RoomSession,
  reachable: ReadonlySet<DeviceId>,
  idle = true,
): Promise<void> {
  if (!s.active) return;
  await s.makeIntentsAgain();
  if (idle) await s.resendOutbox();
  if (s.group.pendingProposals().length > 0) await s.commitStaleProposals();
  const self = s.group.self()?.deviceId;
  for (const m of idle ? s.members() : []) {
    if (m.deviceId !== self && reachable.has(m.deviceId)) {
      await s.sendFrame(m.deviceId, helloFrame(s, false));
    }
  }
  for (const [device, frame] of s.pendingWelcomes) {
    if (reachable.has(device)) await s.sendTo(device, frame);
  }
}

/**
 * Whether this device's chain is the one a peer at (`epoch`, `head`) should join when the two
 * share no epoch: the higher epoch, then the higher epoch ID. Both sides compute the same.
 */
function aheadOf(session: RoomSession, epoch: bigint, head: Uint8Array): boolean {
  return isAhead(session.group.head, { epoch, epochId: head });
}
