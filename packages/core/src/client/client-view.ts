import type { MessageId } from '../content/message-id.ts';
import { bytesEqual } from '../crypto/bytes.ts';
import type { DeviceIdentity, UserIdentity } from '../identity/identities.ts';
import type { DeviceId, RoomId, UserId } from '../ids.ts';
import type { RoomMember } from '../people/members.ts';
import type { DeviceProfile } from '../people/profile.ts';
import type { MailboxKey } from '../relay/mailbox.ts';
import type { RoomState } from '../room/room-state.ts';
import { capabilitiesOf, type UserCapabilities } from '../room/user-capabilities.ts';
import type { UserPresence } from '../signals/presence.ts';
import type { MessageReceipts, RoomReceipts } from '../signals/receipts.ts';
import type { SignalSettings } from '../signals/settings.ts';
import { threadMessages, threadsOf, type ThreadSummary } from '../timeline/threads.ts';
import type { TimelineMessage } from '../timeline/timeline-message.ts';
import { viewOf, type DeviceListView } from './client-devices.ts';
import { mailboxKeysOf, relaysOf } from './client-rooms.ts';
import { hiddenCount } from './client-safety.ts';
import { messageReceipts, roomMessageStatusOf, roomReceiptsOf } from './client-signals.ts';
import { sessionOf, type DeviceContext } from './device-context.ts';
import { ClientError } from './errors.ts';
import type { KithEventOf, KithEventType, SyncStatus } from './events.ts';
import type { DeliveryStatus, RoomMessageStatus } from './message-status.ts';
import { membersOf } from './people.ts';
import type { RoomSession } from './room-session.ts';
import { syncStatusOf } from './room-sync.ts';
import type { BlockedUser, InvitePolicy } from './safety-settings.ts';
import { visibleTimeline } from './safety-policy.ts';
import { summarize, type RoomSummary } from './summary.ts';

/**
 * What a device shows: who it is, its rooms, their messages and people, its settings, and what
 * others signal; and its events. Nothing here changes the device, so none of it waits its turn.
 * KithClient adds what a user does (which runs one input at a time); this is its read side,
 * kept apart so each stays a readable size.
 */
export class ClientView {
  readonly #d: DeviceContext;

  protected constructor(device: DeviceContext) {
    this.#d = device;
  }

  /** This device's user. */
  get userId(): UserId {
    return this.#d.device.userId;
  }

  /** This device. */
  get deviceId(): DeviceId {
    return this.#d.device.deviceId;
  }

  /** This device's identity: its key pair and the certificate the user key issued for it. */
  get device(): DeviceIdentity {
    return this.#d.device;
  }

  /** The user identity key, if this device holds it (the first device of a user does). */
  get userIdentity(): UserIdentity | undefined {
    return this.#d.user;
  }

  /**
   * A user's devices by the newest signed device list this device has seen (this user's by
   * default), or undefined when none reached it yet.
   */
  deviceList(userId: UserId = this.userId): DeviceListView | undefined {
    return viewOf(this.#d.deviceLists.get(userId), userId);
  }

  /** Whether any signed list of `userId` revoked the device (it is refused for good). */
  isDeviceRevoked(deviceId: DeviceId, userId: UserId): boolean {
    return this.#d.deviceLists.isRevoked(deviceId, userId);
  }

  /**
   * Calls `handler` with each event of `type`, after the change is stored; returns a function that
   * stops it. A handler that throws goes to `onError` and does not stop the others.
   */
  on<T extends KithEventType>(type: T, handler: (event: KithEventOf<T>) => void): () => void {
    return this.#d.emitter.on(type, handler);
  }

  // ---- rooms -----------------------------------------------------------------------------

  /** The rooms this device is in, each as a summary (name, topic, kind, policies). */
  rooms(): RoomSummary[] {
    return [...this.#d.sessions.values()].map(summarize);
  }

  /** One room's summary; throws ClientError UNKNOWN_ROOM if this device is not in it. */
  room(roomId: RoomId): RoomSummary {
    return summarize(this.#session(roomId));
  }

  /**
   * The room's control-plane state at the current epoch: participants, roles, profile and policy.
   */
  roomState(roomId: RoomId): RoomState {
    return this.#session(roomId).group.room;
  }

  /**
   * Whether the room's history on this device is complete, and what is still held back or unsent.
   */
  syncStatus(roomId: RoomId): SyncStatus {
    return syncStatusOf(this.#session(roomId));
  }

  /** The room whose messages go out on pub/sub `topic`, if this device is in it. */
  roomOfTopic(topic: string): RoomId | undefined {
    return this.#d.byTopic.get(topic)?.roomId;
  }

  /** The relays of a room's members (this device's first), to write to and read from. */
  roomRelays(roomId: RoomId): string[] {
    return relaysOf(this.#d, roomId);
  }

  /**
   * The room's mailbox keys, one per retained epoch, oldest first, for relay mailboxes
   * (docs/PROTOCOL.md §12); undefined once this device is out of the room.
   */
  mailboxKeys(roomId: RoomId): Promise<{ topic: string; keys: MailboxKey[] } | undefined> {
    return mailboxKeysOf(this.#d, roomId);
  }

  // ---- people ----------------------------------------------------------------------------

  /** The profile this device publishes, if one was set. */
  get profile(): DeviceProfile | undefined {
    return this.#d.profile;
  }

  /** The room's members: role, display name and avatar per user, name per device. */
  members(roomId: RoomId): RoomMember[] {
    return membersOf(this.#session(roomId));
  }

  /** What this user's role lets them do in the room, to show before they try. */
  capabilities(roomId: RoomId): UserCapabilities {
    return capabilitiesOf(this.#session(roomId).group.room, this.userId);
  }

  // ---- messages --------------------------------------------------------------------------

  /** The room's messages as this user sees them: those of blocked users are left out. */
  timeline(roomId: RoomId): readonly TimelineMessage[] {
    return visibleTimeline(this.#session(roomId).doc.timeline(), (u) =>
      this.#d.safety.isBlocked(u),
    );
  }

  /**
   * How many messages from others that this user sees come after this device's read position.
   * The position is placed in the room's full order: it can be a message hidden since (its
   * sender blocked), which the visible timeline no longer holds.
   */
  unreadCount(roomId: RoomId): number {
    const session = this.#session(roomId);
    const all = session.doc.timeline();
    const position = this.#d.signals.readPosition(session);
    let from = 0;
    if (position !== undefined) {
      for (let i = all.length - 1; i >= 0; i--) {
        const id = all[i]?.messageId;
        if (id !== undefined && bytesEqual(id, position)) {
          from = i + 1;
          break;
        }
      }
    }
    const seen = visibleTimeline(all.slice(from), (u) => this.#d.safety.isBlocked(u));
    return seen.filter((m) => m.sender !== this.userId).length;
  }

  /** The room's threads (MIMI topics), the most recently active first. */
  threads(roomId: RoomId): ThreadSummary[] {
    return threadsOf(this.timeline(roomId));
  }

  /** One thread's messages: its root (when held) and every message posted in it. */
  thread(roomId: RoomId, threadId: Uint8Array): TimelineMessage[] {
    return threadMessages(this.timeline(roomId), threadId);
  }

  // ---- personal safety -------------------------------------------------------------------

  /** How many of a room's messages `timeline` leaves out because their senders are blocked. */
  hiddenCount(roomId: RoomId): number {
    return hiddenCount(this.#d, roomId);
  }

  /** The users this user blocked on this device, and since when. */
  blockedUsers(): BlockedUser[] {
    return this.#d.safety.blocked();
  }

  /** Whether this user blocked `user` on this device. */
  isBlocked(user: UserId): boolean {
    return this.#d.safety.isBlocked(user);
  }

  /** Who may add this user to rooms (checked when an invitation arrives; default 'anyone'). */
  get invitePolicy(): InvitePolicy {
    return this.#d.safety.invitePolicy;
  }

  // ---- receipts, typing, presence --------------------------------------------------------

  /** How far this user has read in the room on this device. */
  readPosition(roomId: RoomId): MessageId | undefined {
    return this.#d.signals.readPosition(this.#session(roomId));
  }

  /** Who has a message (delivered) and who has read it, from every member device's markers. */
  receipts(roomId: RoomId, messageId: MessageId): MessageReceipts {
    return messageReceipts(this.roomReceipts(roomId), messageId);
  }

  /** The receipts of every message of the room at once (for a view of many messages). */
  roomReceipts(roomId: RoomId): RoomReceipts {
    return roomReceiptsOf(this.#d, roomId);
  }

  /**
   * How far one of this device's own messages got: sending, sent, stored (on a relay),
   * delivered (to N of M member devices of other users) or read (by N users). Undefined for
   * another device's message; throws UNKNOWN_MESSAGE if the room does not hold it. Watch the
   * `messageStatus` event.
   */
  messageStatus(roomId: RoomId, messageId: MessageId): DeliveryStatus | undefined {
    const timeline = this.#session(roomId).doc.timeline();
    let message: TimelineMessage | undefined;
    for (let i = timeline.length - 1; i >= 0 && message === undefined; i--) {
      const m = timeline[i];
      if (m !== undefined && bytesEqual(m.messageId, messageId)) message = m;
    }
    if (message === undefined) {
      throw new ClientError('UNKNOWN_MESSAGE', 'no such message in the room');
    }
    return this.roomMessageStatus(roomId).of(message);
  }

  /** The delivery states of the room's messages at once (for a view of many messages). */
  roomMessageStatus(roomId: RoomId): RoomMessageStatus {
    return roomMessageStatusOf(this.#d, roomId);
  }

  /** The users typing in the room now (others only). */
  typing(roomId: RoomId): UserId[] {
    return this.#d.signals.typing(this.#session(roomId));
  }

  /** A user's presence as last heard, or undefined when never heard. */
  presence(user: UserId): UserPresence | undefined {
    return this.#d.signals.presence(user);
  }

  /** The presence of everyone heard from. */
  presenceList(): UserPresence[] {
    return this.#d.signals.presenceAll();
  }

  /** Which receipts, typing and presence signals this device sends. */
  get signals(): SignalSettings {
    return this.#d.signals.settings;
  }

  #session(roomId: RoomId): RoomSession {
    return sessionOf(this.#d, roomId);
  }
}
