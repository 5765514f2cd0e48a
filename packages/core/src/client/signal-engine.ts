import type { MessageId } from '../content/message-id.ts';
import type { MemberDevice } from '../group/leaves.ts';
import type { DeviceId, RoomId, UserId } from '../ids.ts';
import type { ClockPort } from '../ports/clock.ts';
import { presenceRefreshMs, SignalTimings } from '../signals/limits.ts';
import { PresenceBoard, PresenceSender, type UserPresence } from '../signals/presence.ts';
import type { RoomReceipts } from '../signals/receipts.ts';
import {
  decodeSignalSettings,
  encodeSignalSettings,
  SIGNAL_SETTINGS_KEY,
  type SignalSettings,
} from '../signals/settings.ts';
import { decodeSignal, encodeSignal, type PresenceState } from '../signals/signal-codec.ts';
import { TypingBoard, TypingSender } from '../signals/typing.ts';
import type { KvStore } from '../storage/store.ts';
import type { KithEvent, KithEventOf } from './events.ts';
import { ReceiptMarkers } from './receipt-markers.ts';
import type { RoomSession } from './room-session.ts';

export interface SignalEnv {
  readonly userId: UserId;
  readonly deviceId: DeviceId;
  readonly clock: ClockPort;
  readonly kv: KvStore;
  readonly emit: (event: KithEvent) => void;
  /** Users whose signals are not shown (blocked by this user). */
  readonly hidden: (user: UserId) => boolean;
  /**
   * Whether a device of the room is connected now: ephemeral signals are not kept anywhere,
   * so one sent to nobody is lost (and would only move the ratchet).
   */
  readonly anyoneThere: (session: RoomSession) => boolean;
}

/** One room's signal state on this device. */
interface RoomSignals {
  readonly typingOut: TypingSender;
  readonly typingIn: TypingBoard;
  readonly presenceOut: PresenceSender;
}

/**
 * Receipts, typing and presence for one device: what it tells others (each part can be
 * switched off, and each is rate-limited here, whatever the app calls how often) and what it
 * shows of theirs. Typing and presence travel on the ephemeral plane; receipts are per-device
 * markers in the room document. Everything runs inside the client's serial queue.
 */
export class SignalEngine {
  readonly #env: SignalEnv;
  #settings: SignalSettings;
  /** What the app says the user is; undefined until it says anything (nothing is announced). */
  #presence: PresenceState | undefined;
  readonly #presenceBoard = new PresenceBoard();
  readonly #rooms = new Map<RoomId, RoomSignals>();
  readonly #markers: ReceiptMarkers;

  private constructor(env: SignalEnv, settings: SignalSettings, markers: ReceiptMarkers) {
    this.#env = env;
    this.#settings = settings;
    this.#markers = markers;
  }

  static async load(env: SignalEnv): Promise<SignalEngine> {
    const settings = decodeSignalSettings(await env.kv.get(SIGNAL_SETTINGS_KEY));
    return new SignalEngine(env, settings, await ReceiptMarkers.load(env));
  }

  get settings(): SignalSettings {
    return this.#settings;
  }

  /** Changes which signals this device sends; one switched off says its last word first. */
  async setSettings(
    change: Partial<SignalSettings>,
    sessions: Iterable<RoomSession>,
  ): Promise<void> {
    const next = { ...this.#settings, ...change };
    await this.#env.kv.put(SIGNAL_SETTINGS_KEY, encodeSignalSettings(next));
    const was = this.#settings;
    this.#settings = next;
    const now = this.#env.clock.now();
    for (const s of sessions) {
      if (!s.active) continue;
      if (was.typing && !next.typing) await this.#sendTyping(s, false, now);
      if (was.presence && !next.presence) await this.#sayGone(s);
    }
  }

  // ---- receipts --------------------------------------------------------------------------

  /** How far this user has read in the room on this device (published or not). */
  readPosition(session: RoomSession): MessageId | undefined {
    return this.#markers.readPosition(session);
  }

  /** Moves the read position forward; published with the room's rate limit (receipts on). */
  markRead(session: RoomSession, messageId: MessageId): Promise<void> {
    return this.#markers.markRead(session, messageId, this.#env.clock.now(), this.#settings);
  }

  /** Every message's receipts, from the markers of the room's member devices. */
  receipts(session: RoomSession): RoomReceipts {
    return this.#markers.receipts(session);
  }

  /** Notes meta changes (from the `meta` event): another device's marker moved. */
  noteMeta(event: KithEventOf<'meta'>): void {
    this.#markers.noteMeta(event);
  }

  /** Emits one `receipts` event per room whose markers moved since the last call. */
  flushReceipts(): void {
    this.#markers.flush();
  }

  // ---- typing ----------------------------------------------------------------------------

  /** The user is typing (true) or stopped (false); at most one signal per few seconds. */
  async setTyping(session: RoomSession, typing: boolean): Promise<void> {
    if (!this.#settings.typing || !session.active) return;
    await this.#sendTyping(session, typing, this.#env.clock.now());
  }

  typing(session: RoomSession): UserId[] {
    const users = this.#room(session.roomId).typingIn.users(this.#env.clock.now());
    return users.filter((u) => !this.#env.hidden(u));
  }

  /** This user sent a message in the room: the message itself ends "typing" for the others. */
  sentMessage(roomId: RoomId): void {
    this.#rooms.get(roomId)?.typingOut.sent();
  }

  /** Notes timeline changes: a device whose message arrives is no longer typing it. */
  noteTimeline(event: KithEventOf<'timeline'>): void {
    const rs = this.#rooms.get(event.roomId);
    if (rs === undefined) return;
    const now = this.#env.clock.now();
    for (const c of event.changes) {
      if (c.type !== 'added') continue;
      rs.typingIn.set(c.message.senderDevice, c.message.sender, false, now);
    }
    this.#reportTyping(event.roomId, rs, now);
  }

  // ---- presence --------------------------------------------------------------------------

  get ownPresence(): PresenceState | undefined {
    return this.#presence;
  }

  /** What the user is now; announced in every room (when presence is on), then kept fresh. */
  async setPresence(state: PresenceState, sessions: Iterable<RoomSession>): Promise<void> {
    this.#presence = state;
    if (!this.#settings.presence) return;
    const now = this.#env.clock.now();
    for (const s of sessions) if (s.active) await this.#announce(s, state, now);
  }

  /** A device of the room came within reach: it has not heard this device's presence. */
  peerReachable(session: RoomSession): void {
    this.#room(session.roomId).presenceOut.soon();
  }

  presence(user: UserId): UserPresence | undefined {
    return this.#presenceBoard.of(user, this.#env.clock.now());
  }

  presenceAll(): UserPresence[] {
    const now = this.#env.clock.now();
    return this.#presenceBoard.all(now).filter((p) => !this.#env.hidden(p.user));
  }

  // ---- inbound and periodic work ---------------------------------------------------------

  /** A signal from a member device; who sent it is `sender`, as MLS authenticated it. */
  receive(session: RoomSession, sender: MemberDevice, bytes: Uint8Array): void {
    let signal;
    try {
      signal = decodeSignal(bytes);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.#env.emit({
        type: 'rejected',
        roomId: session.roomId,
        reason: `from ${sender.deviceId}: ${reason}`,
      });
      return;
    }
    // Own devices are not shown; a device removed since it sent this no longer counts.
    if (sender.userId === this.#env.userId || !session.isMemberDevice(sender.deviceId)) return;
    const now = this.#env.clock.now();
    if (signal.kind === 'typing') {
      const rs = this.#room(session.roomId);
      rs.typingIn.set(sender.deviceId, sender.userId, signal.typing, now);
      this.#reportTyping(session.roomId, rs, now);
    } else if (signal.kind === 'presence') {
      this.#presenceBoard.set(sender.deviceId, sender.userId, signal.state, signal.ttlMs, now);
      this.#reportPresence(now);
    }
  }

  /** From the client's tick: expiries, presence refreshes, and markers due. */
  async tick(sessions: Iterable<RoomSession>): Promise<void> {
    const now = this.#env.clock.now();
    for (const s of sessions) {
      if (!s.active) continue;
      const rs = this.#room(s.roomId);
      rs.typingIn.retain((d) => s.isMemberDevice(d));
      this.#reportTyping(s.roomId, rs, now);
      if (this.#settings.presence && this.#presence !== undefined) {
        await this.#announce(s, this.#presence, now);
      }
      await this.#markers.write(s, now, this.#settings);
    }
    this.#reportPresence(now);
    this.flushReceipts();
  }

  /** The device is closing: those told it was here are told it is gone. */
  async close(sessions: Iterable<RoomSession>): Promise<void> {
    if (!this.#settings.presence) return;
    for (const s of sessions) if (s.active) await this.#sayGone(s);
    this.#presence = undefined;
  }

  // ---- internals -------------------------------------------------------------------------

  #room(roomId: RoomId): RoomSignals {
    let rs = this.#rooms.get(roomId);
    if (rs === undefined) {
      rs = {
        typingOut: new TypingSender(),
        typingIn: new TypingBoard(),
        presenceOut: new PresenceSender(),
      };
      this.#rooms.set(roomId, rs);
    }
    return rs;
  }

  async #sendTyping(session: RoomSession, typing: boolean, now: number): Promise<void> {
    if (!this.#env.anyoneThere(session)) return;
    const signal = this.#room(session.roomId).typingOut.next(typing, now);
    if (signal === undefined) return;
    await session.publishSignal(encodeSignal({ kind: 'typing', typing: signal }));
  }

  async #announce(session: RoomSession, state: PresenceState, now: number): Promise<void> {
    // Said once someone is there to hear it (`peerReachable` and the next tick).
    if (!this.#env.anyoneThere(session)) return;
    const refresh = presenceRefreshMs(session.members().length);
    const next = this.#room(session.roomId).presenceOut.next(state, now, refresh);
    if (next === undefined) return;
    const ttlMs = next === 'offline' ? 0 : Math.ceil(refresh * SignalTimings.presenceTtlFactor);
    await session.publishSignal(encodeSignal({ kind: 'presence', state: next, ttlMs }));
  }

  /** Says "offline" where "online" or "away" was said, even within the change interval. */
  async #sayGone(session: RoomSession): Promise<void> {
    if (!this.#env.anyoneThere(session)) return;
    const out = this.#room(session.roomId).presenceOut;
    if (out.next('offline', Number.POSITIVE_INFINITY, 0) === undefined) return;
    await session.publishSignal(encodeSignal({ kind: 'presence', state: 'offline', ttlMs: 0 }));
  }

  #reportTyping(roomId: RoomId, rs: RoomSignals, now: number): void {
    const users = rs.typingIn.changes(now);
    if (users === undefined) return;
    this.#env.emit({
      type: 'typing',
      roomId,
      users: users.filter((u) => !this.#env.hidden(u)),
    });
  }

  #reportPresence(now: number): void {
    for (const p of this.#presenceBoard.changes(now)) {
      if (this.#env.hidden(p.user)) continue;
      this.#env.emit({ type: 'presence', user: p.user, state: p.state, lastSeen: p.lastSeen });
    }
  }
}
