import type { MessageOptions } from '../content/builders.ts';
import { encodeContent } from '../content/codec.ts';
import { contentMessageId, type MessageId } from '../content/message-id.ts';
import type { MimiContent } from '../content/model.ts';
import { ConversationGroup } from '../group/conversation-group.ts';
import { exportEpochSecrets } from '../group/exporter.ts';
import { createDeviceKeyPackage } from '../group/key-package.ts';
import type { RoomId } from '../ids.ts';
import {
  MAILBOX_EXPORTER_CONTEXT,
  MAILBOX_EXPORTER_LABEL,
  mailboxKeyOf,
  type MailboxKey,
} from '../relay/mailbox.ts';
import { roomUri, userUri } from '../timeline/uris.ts';
import { tickDevices } from './client-devices.ts';
import { addSession, sessionOf, type DeviceContext } from './device-context.ts';
import { ClientError } from './errors.ts';
import { initialRoomState, inviteIntent, readKeyPackage } from './intent.ts';
import { announceProfile } from './people.ts';
import { encodeRelayList, RELAYS_META_KEY, roomRelays } from './room-relays.ts';
import type { RoomSession } from './room-session.ts';
import { tickRoom } from './room-sync.ts';
import { refuseDmWithBlocked } from './safety-policy.ts';
import { startSession } from './session-loader.ts';

/** What KithClient does with its rooms, beyond handing a call to the room's session. */

/** Creates a room (see KithClient.createRoom): this device's group, then the invitations. */
export async function createRoom(
  d: DeviceContext,
  options: { name?: string; topic?: string; dm?: boolean; invite?: readonly Uint8Array[] },
): Promise<RoomId> {
  const invites = (options.invite ?? []).map(readKeyPackage);
  const room = initialRoomState(d.device.userId, options, invites);
  if (room.kind === 'dm') refuseDmWithBlocked(room, (u) => d.safety.isBlocked(u));
  const kp = await createDeviceKeyPackage(d.device, d.env.groupOptions.cs);
  const group = await ConversationGroup.create(
    d.random.bytes(32),
    kp.publicPackage,
    kp.privatePackage,
    room,
    d.env.groupOptions,
  );
  const session = await startSession(d.env, group);
  addSession(d, session);
  await announceProfile(session, d.profile);
  if (invites.length > 0) await session.change(inviteIntent(invites));
  return session.roomId;
}

/** Writes one MIMI message that `build` makes to the room; returns its message ID. */
export async function writeContent(
  d: DeviceContext,
  roomId: RoomId,
  build: (base: MessageOptions, session: RoomSession) => MimiContent,
): Promise<MessageId> {
  const session = sessionOf(d, roomId);
  if (!session.active) {
    throw new ClientError('NOT_IN_ROOM', 'this device is no longer in the room');
  }
  const base: MessageOptions = {
    salt: d.random.bytes(16),
  };
  const content = encodeContent(build(base, session));
  await session.write([content]);
  return contentMessageId(content, userUri(d.device.userId), roomUri(roomId));
}

/**
 * The periodic work of every room (see KithClient.tick), then of the signals. `idle` false (input
 * was waiting) leaves out resends and hellos (see `tickRoom`).
 */
export async function tickRooms(d: DeviceContext, idle = true): Promise<void> {
  for (const s of d.sessions.values()) {
    await s.expire();
    await tickRoom(s, d.reachable, idle);
    await announceRelays(d, s);
    await announceProfile(s, d.profile);
  }
  await tickDevices(d);
  await d.signals.tick(d.sessions.values());
  await d.calls.tick();
}

/** The relays of a room's members (this device's first), to write to and read from. */
export function relaysOf(d: DeviceContext, roomId: RoomId): string[] {
  const session = sessionOf(d, roomId);
  const announced = [...session.doc.metaValues(RELAYS_META_KEY)]
    .filter(([device]) => device !== d.device.deviceId && session.isMemberDevice(device))
    .map(([, value]) => value);
  return roomRelays(d.relays, announced);
}

async function announceRelays(d: DeviceContext, session: RoomSession): Promise<void> {
  if (!session.active) return;
  const current = session.doc.ownMeta(RELAYS_META_KEY);
  if (current === undefined && d.relays.length === 0) return;
  await session.writeMeta(RELAYS_META_KEY, encodeRelayList(d.relays));
}

/** A room's mailbox keys, one per retained epoch (see KithClient.mailboxKeys). */
export async function mailboxKeysOf(
  d: DeviceContext,
  roomId: RoomId,
): Promise<{ topic: string; keys: MailboxKey[] } | undefined> {
  const s = sessionOf(d, roomId);
  if (!s.active) return undefined;
  const secrets = await exportEpochSecrets(
    [...s.group.chain],
    d.env.groupOptions.cs,
    MAILBOX_EXPORTER_LABEL,
    MAILBOX_EXPORTER_CONTEXT,
  );
  return { topic: s.topic, keys: secrets.map((x) => mailboxKeyOf(x.epoch, x.epochId, x.secret)) };
}

/** Stores what closing owes: the signals' last word, and a snapshot of every room. */
export async function closeRooms(d: DeviceContext): Promise<void> {
  await d.signals.close(d.sessions.values());
  for (const s of d.sessions.values()) {
    await s.close();
  }
}
