import { bytesEqual, toHex } from '../crypto/bytes.ts';
import type { ConversationGroup } from '../group/conversation-group.ts';
import type { DeviceId, RoomId } from '../ids.ts';
import type { InboundMessage } from '../ports/transport.ts';
import { decodeDirectFrame, type DirectFrame } from '../sync/frames.ts';
import { undoneCut } from './branch-guard.ts';
import { addSession, type DeviceContext } from './device-context.ts';
import { announceProfile } from './people.ts';
import { handleSyncFrame, helloFrame } from './room-sync.ts';
import { judgeInvite } from './safety-policy.ts';
import { startSession } from './session-loader.ts';
import { openWelcome } from './welcome.ts';

/**
 * What comes from the network: messages of the rooms' topics, direct frames (Welcomes, sync)
 * and peers coming and going. `background` runs each in the device's turn, like any input.
 */
export function listen(d: DeviceContext, background: (task: () => Promise<void>) => void): void {
  d.unsubscribe.push(
    d.transport.onMessage((m) => {
      background(async () => {
        await inbound(d, m);
        d.signals.flushReceipts();
      });
    }),
    d.transport.onPeer((e) => {
      if (e.reachable) {
        d.reachable.add(e.device);
        background(() => helloAll(d, e.device));
      } else d.reachable.delete(e.device);
    }),
  );
}

/** Asks `device` for what this device lacks in every room both are in (and resends Welcomes). */
export async function helloAll(d: DeviceContext, device: DeviceId): Promise<void> {
  for (const s of d.sessions.values()) {
    if (!s.active) continue;
    const welcome = s.pendingWelcomes.get(device);
    if (welcome !== undefined) await s.sendTo(device, welcome);
    if (!s.isMemberDevice(device)) continue;
    await s.sendFrame(device, helloFrame(s, false));
    d.signals.peerReachable(s);
  }
}

async function inbound(d: DeviceContext, message: InboundMessage): Promise<void> {
  if (message.kind === 'topic') {
    await d.byTopic.get(message.topic)?.receiveGroupMessage(message.data);
    return;
  }
  let frame: DirectFrame;
  try {
    frame = decodeDirectFrame(message.data);
  } catch (error) {
    d.env.emit({ type: 'rejected', roomId: undefined, reason: describe(error) });
    return;
  }
  if (frame.type === 'welcome') {
    await join(d, message.from, frame.welcome);
    return;
  }
  const session = d.sessions.get(toHex(frame.groupId) as RoomId);
  // A device out of the room answers nobody: it holds no keys of the current epoch.
  if (!session?.active) return;
  const ownHex = toHex(d.device.keyPair.publicKey);
  const held = (): number =>
    session.doc.ownHeldUpTo(session.peers.get(message.from)?.heads.get(ownHex));
  const before = held();
  await handleSyncFrame(session, message.from, frame, ownHex);
  // A hello that shows more of this device's updates moves their delivery states.
  if (held() !== before) d.env.emit({ type: 'messageStatus', roomId: session.roomId });
}

async function join(d: DeviceContext, from: DeviceId, bytes: Uint8Array): Promise<void> {
  const outcome = await openWelcome(bytes, d.keyPackages, d.env.groupOptions);
  if (outcome.kind === 'rejected') {
    d.env.emit({ type: 'rejected', roomId: undefined, reason: outcome.reason });
  }
  if (outcome.kind !== 'joined') return;
  const group = outcome.group;
  const roomId = toHex(group.groupId) as RoomId;
  const existing = d.sessions.get(roomId);
  // A later Welcome to a room this device is in replaces its group state when it is for a
  // later epoch or for another branch of the same one: the commit that carried the first
  // lost a fork and was made again on the winner. (Should an older branch's Welcome come
  // last, sync finds this device on an abandoned branch and hands it a GroupInfo.)
  const head = existing?.group.head;
  if (
    existing?.active === true &&
    head !== undefined &&
    (head.epoch > group.head.epoch ||
      bytesEqual(head.epochId, group.head.epochId) ||
      // Only from a member of this chain, and never onto a chain that undoes a cut it accepted.
      !existing.isMemberDevice(from) ||
      undoneCut(existing.group.chain, group.room) !== undefined)
  ) {
    return;
  }
  if (existing?.active !== true && !acceptInvite(d, from, group, roomId)) return;
  let session = existing;
  if (session === undefined) {
    session = await startSession(d.env, group);
    addSession(d, session);
  } else {
    await session.replaceGroup(group);
  }
  d.env.emit({ type: 'joined', roomId, invitedBy: from });
  await session.sendFrame(from, helloFrame(session, false));
  await session.resendOutbox();
  await announceProfile(session, d.profile);
}

/**
 * Applies this user's blocks and invite policy to a Welcome into a room this device is not
 * in. The inviter is the user of the device that sent the Welcome (the transport
 * authenticated it), looked up among the room's devices.
 */
function acceptInvite(
  d: DeviceContext,
  from: DeviceId,
  group: ConversationGroup,
  roomId: RoomId,
): boolean {
  const inviter = group.members().find((m) => m.deviceId === from)?.userId;
  const verdict = judgeInvite(inviter, {
    self: d.device.userId,
    policy: d.safety.invitePolicy,
    isBlocked: (u) => d.safety.isBlocked(u),
    isContact: d.isContact,
  });
  if (verdict.ok) return true;
  // The inviter resends its Welcome to a device that never answers: report it once.
  const key = `${roomId}/${verdict.reason}`;
  if (!d.refusedInvites.has(key)) {
    d.refusedInvites.add(key);
    d.env.emit({
      type: 'inviteRefused',
      roomId,
      from: inviter,
      device: from,
      reason: verdict.reason,
    });
  }
  return false;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
