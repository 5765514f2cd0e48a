import type { MessageOptions } from '../content/builders.ts';
import type { MessageId } from '../content/message-id.ts';
import type { ExternalPart, MimiContent } from '../content/model.ts';
import { encodeDeviceCertificate, issueDeviceCertificate } from '../identity/device-certificate.ts';
import type { DeviceId, RoomId, UserId } from '../ids.ts';
import type { MediaPreview } from '../media/preview.ts';
import { Roles, type RoleName } from '../room/roles.ts';
import type { HistorySharing } from '../room/room-state.ts';
import type { SignalSettings } from '../signals/settings.ts';
import type { PresenceState } from '../signals/signal-codec.ts';
import { StorageError } from '../storage/errors.ts';
import { ClientCalls } from './client-calls.ts';
import {
  certifyNewDevice,
  revokeOwnDevice,
  type CertifiedDevice,
  type RevokeReport,
} from './client-devices.ts';
import { helloAll, listen } from './client-inbound.ts';
import { importAll, type ImportProgress, type ImportReport } from './client-import.ts';
import type { ImportItem } from '../import/item.ts';
import type { KithClientOptions } from './client-options.ts';
import { closeRooms, createRoom, tickRooms, writeContent } from './client-rooms.ts';
import { blockUser, unblockUser } from './client-safety.ts';
import { ClientView } from './client-view.ts';
import {
  composeEdit,
  composeMessage,
  composeReaction,
  composeRetraction,
  composeUnreaction,
  type SendOptions,
} from './compose.ts';
import { composeAttachment } from './compose-attachment.ts';
import { openDevice, sessionOf, type DeviceContext } from './device-context.ts';
import { withExpiry } from './disappearing.ts';
import { ClientError } from './errors.ts';
import {
  disappearingIntent,
  historyIntent,
  inviteIntent,
  invitesRestrictedIntent,
  profileIntent,
  readKeyPackage,
  roleIntent,
  unbanIntent,
  type Intent,
  type ProfileChange,
} from './intent.ts';
import { setOwnProfile, type ProfileInput } from './people.ts';
import { checkRelayList } from './room-relays.ts';
import type { RoomSession } from './room-session.ts';
import type { InvitePolicy } from './safety-settings.ts';
import { SerialQueue } from './serial-queue.ts';

export type { KithClientOptions } from './client-options.ts';

/**
 * One device's Kith: its identity, its rooms, and the protocols between them. The runtime
 * gives it ports (storage, transport, clock, randomness); it has no IO of its own. Methods
 * are what a user does; events (`on`) are what a user sees. Inputs are handled one at a time,
 * in order, so the device's state never sees two changes interleaved.
 */
export class KithClient extends ClientView {
  /** The device's state; the modules beside this class (client-*.ts) do much of the work on it. */
  readonly #d: DeviceContext;
  readonly #queue = new SerialQueue();
  #failed: StorageError | undefined;
  /** Voice and video calls in the rooms (see `ClientCalls`). */
  readonly calls: ClientCalls;

  private constructor(device: DeviceContext) {
    super(device);
    this.#d = device;
    this.calls = new ClientCalls(device, (task) => this.#run(task));
  }

  /** Opens the device in `storage`, creating its identity on first use. */
  static async open(options: KithClientOptions): Promise<KithClient> {
    const client = new KithClient(await openDevice(options));
    listen(client.#d, (task) => {
      client.#background(task);
    });
    client.#d.calls.bind((task) => {
      client.#background(task);
    });
    return client;
  }

  /**
   * Certifies another device of this user (its public key, from `generateSigningKeyPair` on the
   * new device), for it to open with `linkedDevice`. Only a device holding the user key can.
   * Then invite the new device's key package into each room: a user may add its own devices.
   */
  certifyDevice(devicePublicKey: Uint8Array, deviceName: string): Uint8Array {
    const user = this.#d.user;
    if (user === undefined) {
      throw new ClientError(
        'NOT_ALLOWED',
        'this device does not hold the user key: certify from the first device',
      );
    }
    return encodeDeviceCertificate(
      issueDeviceCertificate(user.keyPair, devicePublicKey, deviceName, this.#d.env.clock.now()),
    );
  }

  /**
   * Certifies a new device of this user (as `certifyDevice`), lists it in the user's signed
   * device list and publishes that list in every room. A device link uses this.
   */
  linkDevice(devicePublicKey: Uint8Array, deviceName: string): Promise<CertifiedDevice> {
    return this.#run(() => certifyNewDevice(this.#d, devicePublicKey, deviceName));
  }

  /**
   * Revokes another device of this user for good: a signed list revoking it goes to every
   * room, then the device is removed from every room this device shares with it.
   */
  revokeDevice(deviceId: DeviceId): Promise<RevokeReport> {
    return this.#run(() => revokeOwnDevice(this.#d, deviceId));
  }

  /** A fresh key package, to hand to someone who will invite this device. */
  createKeyPackage(): Promise<Uint8Array> {
    return this.#run(() => this.#d.keyPackages.create());
  }

  // ---- rooms -----------------------------------------------------------------------------

  /**
   * Creates a room with this user as owner. A DM (`dm: true`) has exactly two users: give the
   * other user's key packages (one per device) in `invite`, and both users are owners.
   */
  createRoom(
    options: { name?: string; topic?: string; dm?: boolean; invite?: readonly Uint8Array[] } = {},
  ): Promise<RoomId> {
    return this.#run(() => createRoom(this.#d, options));
  }

  /** Invites users: all the devices whose key packages are given. */
  invite(roomId: RoomId, keyPackages: readonly Uint8Array[]): Promise<void> {
    return this.#change(roomId, inviteIntent(keyPackages.map(readKeyPackage)));
  }

  /** Removes a user (all their devices) from the room. */
  remove(roomId: RoomId, user: UserId): Promise<void> {
    return this.#change(roomId, roleIntent(user, Roles.none));
  }

  /** Removes a user and keeps them from being added back until unbanned. */
  ban(roomId: RoomId, user: UserId): Promise<void> {
    return this.#change(roomId, roleIntent(user, Roles.banned));
  }

  /** Lifts a ban: the user may be invited again (they are not added back by this). */
  unban(roomId: RoomId, user: UserId): Promise<void> {
    return this.#change(roomId, unbanIntent(user));
  }

  /**
   * Gives a member another role (MIMI room policy); removing and banning have their own methods.
   */
  setRole(roomId: RoomId, user: UserId, role: Exclude<RoleName, 'none' | 'banned'>): Promise<void> {
    return this.#change(roomId, roleIntent(user, Roles[role]));
  }

  /** Changes the room's name, topic or avatar for every member (a commit; needs the capability). */
  setRoomProfile(roomId: RoomId, profile: ProfileChange): Promise<void> {
    return this.#change(roomId, profileIntent(profile));
  }

  /** Restricts inviting to admins and owners (true) or opens it to members (false). */
  setInvitesRestricted(roomId: RoomId, restricted: boolean): Promise<void> {
    return this.#change(roomId, invitesRestrictedIntent(restricted));
  }

  /**
   * What members who join later may read of what is written from now on: everything (`all`),
   * or only what was written while they were members (`since-joined`). Needs
   * canChangeRoomMembershipStyle (admins, owners).
   */
  setHistorySharing(roomId: RoomId, history: HistorySharing): Promise<void> {
    return this.#change(roomId, historyIntent(history));
  }

  /**
   * Makes every message of the room disappear `ms` after it is sent, for everyone (undefined:
   * messages stay). Needs canChangeRoomMembershipStyle (admins, owners).
   */
  async setDisappearing(roomId: RoomId, ms: number | undefined): Promise<void> {
    await this.#change(roomId, disappearingIntent(ms));
  }

  /** Leaves the room: proposes the removal of this user's devices, which another member commits. */
  leave(roomId: RoomId): Promise<void> {
    return this.#run(() => this.#session(roomId).leave());
  }

  // ---- people ----------------------------------------------------------------------------

  /**
   * Sets this user's display name (and avatar reference) as this device publishes it: in every
   * room it is in now and every room it joins later (meta key `profile`). Names are cleaned
   * (see cleanDisplayText); a name still longer than 64 characters is refused.
   */
  setProfile(profile: ProfileInput): Promise<void> {
    return this.#run(() => setOwnProfile(this.#d, profile));
  }

  // ---- messages --------------------------------------------------------------------------

  /**
   * Sends a message. It disappears after `options.expiresInMs`, or else after the room's
   * disappearing time (`setDisappearing`), which every member enforces anyway.
   */
  send(roomId: RoomId, text: string, options: SendOptions = {}): Promise<MessageId> {
    this.#d.signals.sentMessage(roomId);
    return this.#write(roomId, (base, session) =>
      composeMessage(
        session,
        this.userId,
        text,
        options,
        withExpiry(
          base,
          options.expiresInMs ?? session.group.room.disappearAfterMs,
          this.#d.env.clock.now(),
        ),
      ),
    );
  }

  /**
   * Sends a file already sealed and stored as a blob (see `BlobSealer`, `attachmentPart`): its
   * ExternalPart, a fallback text, an optional Markdown caption and an optional preview
   * (thumbnail, BlurHash, duration, waveform; see `previewParts`).
   */
  sendAttachment(
    roomId: RoomId,
    part: ExternalPart,
    caption?: string,
    preview?: MediaPreview,
  ): Promise<MessageId> {
    this.#d.signals.sentMessage(roomId);
    return this.#write(roomId, (base, session) =>
      composeAttachment(
        session,
        this.userId,
        part,
        caption,
        withExpiry(base, session.group.room.disappearAfterMs, this.#d.env.clock.now()),
        preview,
      ),
    );
  }

  /** Edits one of this user's messages (others refuse edits of someone else's). */
  edit(roomId: RoomId, messageId: MessageId, text: string): Promise<MessageId> {
    return this.#write(roomId, (base, session) =>
      composeEdit(session, this.userId, messageId, text, base),
    );
  }

  /** Retracts a message for everyone: one's own, or anyone's with canDeleteOtherMessage. */
  retract(roomId: RoomId, messageId: MessageId): Promise<MessageId> {
    return this.#write(roomId, (base, session) =>
      composeRetraction(session, this.userId, messageId, base),
    );
  }

  /** Reacts to a message with `emoji`; resolves to the reaction's own message ID. */
  react(roomId: RoomId, messageId: MessageId, emoji: string): Promise<MessageId> {
    return this.#write(roomId, (base, session) =>
      composeReaction(session, this.userId, messageId, emoji, base),
    );
  }

  /** Takes back this user's `emoji` reaction to a message. */
  unreact(roomId: RoomId, messageId: MessageId, emoji: string): Promise<MessageId> {
    return this.#write(roomId, (base, session) =>
      composeUnreaction(session, this.userId, messageId, emoji, base),
    );
  }

  /**
   * Writes imported history (see `matrixToMimi`, `exportToImport`) as this device's messages,
   * in signed updates of a bounded size, each its own turn of the queue (other work goes on
   * between them). Each message carries its original sender and time (`imported`). Needs the
   * right to send; `onProgress` hears after each update how many items are done.
   */
  importHistory(
    roomId: RoomId,
    items: readonly ImportItem[],
    onProgress?: ImportProgress,
  ): Promise<ImportReport> {
    return importAll(this.#d, (task) => this.#run(task), { roomId, items, onProgress });
  }

  // ---- personal safety -------------------------------------------------------------------

  /**
   * Blocks a user for this user on this device: their messages and reactions are hidden (kept,
   * so unblocking shows them again), their invitations and DMs refused. Nobody is told.
   */
  blockUser(user: UserId): Promise<void> {
    return this.#run(() => blockUser(this.#d, user));
  }

  /** Lifts a block: the user's hidden messages show again, and their invitations are accepted. */
  unblockUser(user: UserId): Promise<void> {
    return this.#run(() => unblockUser(this.#d, user));
  }

  /** Who may add this user to rooms: checked by this device on every invitation it receives. */
  setInvitePolicy(policy: InvitePolicy): Promise<void> {
    return this.#run(() => this.#d.safety.setInvitePolicy(policy));
  }

  // ---- receipts, typing, presence --------------------------------------------------------

  /**
   * Marks the room read up to `messageId` (never backwards). The position is kept on this
   * device and, when read receipts are on, published to the room (meta key `read`) at most
   * once per few seconds, however often this is called.
   */
  markRead(roomId: RoomId, messageId: MessageId): Promise<void> {
    return this.#run(() => this.#d.signals.markRead(this.#session(roomId), messageId));
  }

  /**
   * The user is typing in the room (true) or stopped (false). Call it on every keystroke: at
   * most one signal goes out per few seconds, and none when typing notifications are off.
   */
  setTyping(roomId: RoomId, typing: boolean): Promise<void> {
    return this.#run(() => this.#d.signals.setTyping(this.#session(roomId), typing));
  }

  /**
   * What the user is: online, away or offline. Nothing is announced until this is first
   * called; then every room hears of changes, and a refresh now and then (when presence is on).
   */
  setPresence(state: PresenceState): Promise<void> {
    return this.#run(() => this.#d.signals.setPresence(state, this.#d.sessions.values()));
  }

  /** Which signals this device sends (read and delivery receipts, typing, presence). */
  setSignals(change: Partial<SignalSettings>): Promise<void> {
    return this.#run(() => this.#d.signals.setSettings(change, this.#d.sessions.values()));
  }

  // ---- background ------------------------------------------------------------------------

  /**
   * Periodic work, called by the runtime (every few seconds): resends what no member has
   * confirmed, commits proposals nobody committed, and asks reachable members for news.
   */
  tick(): Promise<void> {
    // Input already waiting (a busy room) most likely holds what hellos would ask the peers
    // for and the confirmations of what a resend would send again: a device behind would fall
    // further behind. It resends and says hello on a tick that finds it idle.
    const idle = this.#queue.idle;
    return this.#run(() => tickRooms(this.#d, idle));
  }

  /**
   * The relays this device uses; every room it is in records them (meta key `relays`, written
   * at the next `tick`), so the other members leave messages there too.
   */
  setRelays(relays: readonly string[]): void {
    this.#d.relays = checkRelayList(relays);
  }

  /** True when no input is waiting to be handled. */
  get isIdle(): boolean {
    return this.#queue.idle;
  }

  /** Resolves once every input received so far has been handled (for tests and shutdown). */
  idle(): Promise<void> {
    return this.#queue.drain();
  }

  /** Asks `device` for what this device lacks in every room both are in. */
  syncWith(device: DeviceId): Promise<void> {
    return this.#run(() => helloAll(this.#d, device));
  }

  /**
   * Stores a snapshot of every room (for a fast reopen) and releases the transport and the
   * database, even when that last write fails (the error is then rethrown).
   */
  async close(): Promise<void> {
    try {
      await this.#queue.run(async () => {
        this.#queue.close();
        for (const off of this.#d.unsubscribe) off();
        // After a storage failure the stored state is the truth: nothing more is written.
        if (this.#failed !== undefined) return;
        await closeRooms(this.#d);
      });
    } finally {
      // The client built the transport (from the factory it was given), so it closes it too.
      await this.#d.transport.close();
      await this.#d.kv.close();
    }
  }

  // ---- internals -------------------------------------------------------------------------

  /**
   * Runs a task in turn. If storage fails under it (disk full, IO error), the device stops: its
   * memory may now be ahead of what is stored, and only what is stored is safe to continue
   * from. Nothing was sent for the failed step (sending comes after storing); every later call
   * fails with STORAGE_FAILED until the app reopens the device.
   */
  #run<T>(task: () => Promise<T>): Promise<T> {
    return this.#queue.run(async () => {
      if (this.#failed !== undefined) {
        throw new ClientError(
          'STORAGE_FAILED',
          `this device stopped after a storage failure (${this.#failed.code}): free space or fix the disk, then reopen it`,
          { cause: this.#failed },
        );
      }
      try {
        return await task();
      } catch (error) {
        if (error instanceof StorageError) {
          this.#failed = error;
          for (const off of this.#d.unsubscribe) off();
        }
        throw error;
      }
    });
  }

  /** Runs work that nobody awaits (inbound messages); its failures go to onError. */
  #background(task: () => Promise<void>): void {
    this.#run(task).catch((error: unknown) => {
      const quiet =
        error instanceof ClientError &&
        (error.code === 'CLOSED' || error.code === 'STORAGE_FAILED');
      if (!quiet) this.#d.onError(error);
    });
  }

  #session(roomId: RoomId): RoomSession {
    return sessionOf(this.#d, roomId);
  }

  #change(roomId: RoomId, intent: Intent): Promise<void> {
    return this.#run(() => this.#session(roomId).change(intent));
  }

  #write(
    roomId: RoomId,
    build: (base: MessageOptions, session: RoomSession) => MimiContent,
  ): Promise<MessageId> {
    return this.#run(() => writeContent(this.#d, roomId, build));
  }
}
