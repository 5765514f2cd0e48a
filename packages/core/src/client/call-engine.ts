import { CallMachine } from '../calls/call-machine.ts';
import { decodeCallSignal, encodeCallSignal } from '../calls/call-signal.ts';
import type { CallMember, CallOutput, CallResult, MediaAction } from '../calls/call-types.ts';
import { missedCallMessage } from '../calls/missed-call.ts';
import { encodeContent } from '../content/codec.ts';
import type { MemberDevice } from '../group/leaves.ts';
import type { RoomId, UserId } from '../ids.ts';
import type { ClockPort } from '../ports/clock.ts';
import type { RandomPort } from '../ports/random.ts';
import { withExpiry } from './disappearing.ts';
import type { KithEvent } from './events.ts';
import type { RoomSession } from './room-session.ts';

export interface CallEnv {
  readonly self: CallMember;
  readonly clock: ClockPort;
  readonly random: RandomPort;
  readonly emit: (event: KithEvent) => void;
  /** Users whose calls do not ring here (blocked by this user). */
  readonly hidden: (user: UserId) => boolean;
  /** The room's session, if this device has the room. */
  readonly session: (roomId: RoomId) => RoomSession | undefined;
  /** Every room's session (to refresh members after a change). */
  readonly sessions: () => Iterable<RoomSession>;
}

/** The media step of a machine output, without the output's own fields. */
function mediaStep(out: Extract<CallOutput, { type: 'media' }>): MediaAction {
  switch (out.action) {
    case 'open':
    case 'create-offer':
    case 'close':
      return { action: out.action };
    case 'accept-offer':
    case 'apply-answer':
      return { action: out.action, sdp: out.sdp };
    case 'add-candidate':
      return { action: out.action, candidate: out.candidate, mid: out.mid };
  }
}

/**
 * Calls on one device: the sans-IO `CallMachine` fed with the rooms' call signals (with their
 * MLS-authenticated sender), the members of each room as they are now, and the clock; what it
 * asks for goes out as ephemeral MLS messages of the room (never stored), `call` and
 * `callMedia` events, and missed-call timeline entries. Every method runs inside the client's
 * serial queue; signals that arrive there are handled at once and their consequences drained
 * in a turn of their own (`schedule`).
 */
export class CallEngine {
  readonly #env: CallEnv;
  readonly #machine: CallMachine;
  #schedule: ((task: () => Promise<void>) => void) | undefined;
  #drainQueued = false;

  constructor(env: CallEnv) {
    this.#env = env;
    this.#machine = new CallMachine(env.self);
  }

  get machine(): CallMachine {
    return this.#machine;
  }

  /** How signals' consequences get a turn of the client's queue (set once the client opens). */
  bind(schedule: (task: () => Promise<void>) => void): void {
    this.#schedule = schedule;
  }

  /** A call signal from a device of the room, as MLS authenticated it. */
  receive(session: RoomSession, sender: MemberDevice, bytes: Uint8Array): void {
    const decoded = decodeCallSignal(bytes);
    if (!decoded.ok) {
      this.#env.emit({
        type: 'rejected',
        roomId: session.roomId,
        reason: `call signal from ${sender.deviceId}: ${decoded.reason}`,
      });
      return;
    }
    // A blocked user's call does not ring, and is not told "busy" either.
    if (decoded.signal.kind === 'invite' && this.#env.hidden(sender.userId)) return;
    this.#members(session);
    this.#machine.receive(session.roomId, sender.deviceId, decoded.signal, this.#env.clock.now());
    this.#later();
  }

  /** Runs a local action against the machine with the room's members as they are now. */
  async act(roomId: RoomId | undefined, action: (now: number) => CallResult): Promise<CallResult> {
    if (roomId !== undefined) {
      const session = this.#env.session(roomId);
      if (session !== undefined) this.#members(session);
    }
    const result = action(this.#env.clock.now());
    await this.drain();
    return result;
  }

  /** Members changed in some room (an epoch moved, or this device left): calls follow. */
  membersChanged(): void {
    for (const s of this.#env.sessions()) this.#members(s);
    this.#later();
  }

  /** Timeouts: unanswered calls end as missed, media that never connected as failed. */
  async tick(): Promise<void> {
    this.#machine.tick(this.#env.clock.now());
    await this.drain();
  }

  /** Carries out everything the machine asked for since the last drain, in order. */
  async drain(): Promise<void> {
    this.#drainQueued = false;
    for (const out of this.#machine.take()) {
      switch (out.type) {
        case 'send': {
          const session = this.#env.session(out.roomId);
          if (session?.active !== true) break;
          await session.publishSignal(encodeCallSignal(out.signal));
          break;
        }
        case 'media': {
          const roomId = this.#machine.view(out.callId)?.roomId;
          if (roomId === undefined) break;
          this.#env.emit({
            type: 'callMedia',
            roomId,
            callId: out.callId,
            peer: out.peer,
            step: mediaStep(out),
          });
          break;
        }
        case 'state':
          this.#env.emit({ type: 'call', view: out.view });
          break;
        case 'missed-call':
          await this.#postMissed(out);
          break;
      }
    }
  }

  /**
   * The caller's device writes the missed-call entry, once, as a message of its own (it
   * disappears with the room's other messages).
   */
  async #postMissed(out: Extract<CallOutput, { type: 'missed-call' }>): Promise<void> {
    const session = this.#env.session(out.roomId);
    if (session?.active !== true) return;
    const now = this.#env.clock.now();
    const base = withExpiry(
      { salt: this.#env.random.bytes(16) },
      session.group.room.disappearAfterMs,
      now,
    );
    await session.write([encodeContent(missedCallMessage(out.callId, out.media, base))]);
  }

  #members(session: RoomSession): void {
    const members: CallMember[] = session.active
      ? session.members().map((m) => ({ device: m.deviceId, user: m.userId }))
      : [];
    this.#machine.setMembers(session.roomId, members);
  }

  #later(): void {
    if (this.#drainQueued || this.#schedule === undefined) return;
    this.#drainQueued = true;
    this.#schedule(() => this.drain());
  }
}
