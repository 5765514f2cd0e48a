import { compareBytes, toHex } from '../crypto/bytes.ts';
import type { DeviceId, RoomId } from '../ids.ts';
import { Call, hasFingerprint, offers } from './call.ts';
import { CALL_ID_BYTES, type CallMedia, type CallSignal } from './call-signal.ts';
import {
  CallTimings,
  type CallMember,
  type CallOutput,
  type CallRefusal,
  type CallResult,
  type CallView,
} from './call-types.ts';
import { CallInbound } from './call-inbound.ts';

const OK: CallResult = { ok: true };
const refuse = (refusal: CallRefusal): CallResult => ({ ok: false, refusal });
/** Ended calls remembered, so late signals of theirs do not start them again. */
const KEEP_ENDED = 64;

/**
 * The calls of one device, sans IO: local actions, signals from the room (with their MLS
 * sender) and the time go in; signals to send, media actions and call views come out of
 * `take()`. One call at a time: an invite while in a call is answered "busy".
 */
export class CallMachine {
  readonly #self: CallMember;
  readonly #calls = new Map<string, Call>();
  readonly #members = new Map<RoomId, Map<DeviceId, CallMember>>();
  readonly #inbound: CallInbound;
  /** Calls hung up before their invite arrived here (no order across a sender's messages). */
  readonly #gone = new Set<string>();
  #out: CallOutput[] = [];

  constructor(self: CallMember) {
    this.#self = self;
    this.#inbound = new CallInbound({
      self,
      busyElsewhere: (call) => this.#busyElsewhere(call),
    });
  }

  /** Everything the machine asks of the world since the last call, in order. */
  take(): CallOutput[] {
    for (const call of this.#calls.values()) {
      if (!call.takeChange()) continue;
      this.#out.push({ type: 'state', view: call.view() });
    }
    const out = this.#out;
    this.#out = [];
    return out;
  }

  /** The view of a call this machine knows (live or recently ended), or undefined. */
  view(callId: Uint8Array): CallView | undefined {
    return this.#calls.get(toHex(callId))?.view();
  }

  /** The call this device takes part in or rings for, if any. */
  current(): CallView | undefined {
    return [...this.#calls.values()].find((c) => c.live)?.view();
  }

  /**
   * The room's member devices now (after every epoch change). Signals of other devices are
   * refused; a peer no longer among them leaves the call, and if this device is not, it ends.
   */
  setMembers(roomId: RoomId, members: readonly CallMember[]): void {
    const map = new Map(members.map((m) => [m.device, m] as const));
    this.#members.set(roomId, map);
    for (const call of this.#calls.values()) {
      if (!call.live || call.roomId !== roomId) continue;
      if (!map.has(this.#self.device)) {
        call.end('removed');
        continue;
      }
      for (const p of call.joined()) {
        if (map.has(p.member.device)) continue;
        call.drop(p.member.device);
        if (!call.group || call.joined().length === 0) call.end('removed');
      }
    }
  }

  /** Starts a call in a room this device is in; `callId`: 16 random bytes. */
  invite(
    roomId: RoomId,
    callId: Uint8Array,
    media: CallMedia,
    group: boolean,
    now: number,
  ): CallResult {
    if (callId.length !== CALL_ID_BYTES) return refuse('no-such-call');
    if (!(this.#members.get(roomId)?.has(this.#self.device) ?? false))
      return refuse('not-a-member');
    if (this.#busy()) return refuse('busy');
    const call = this.#open({
      callId,
      roomId,
      media,
      group,
      caller: this.#self,
      self: this.#self,
      phase: 'outgoing',
      deadline: now + CallTimings.ringMs,
    });
    call.send({ kind: 'invite', callId, media, group });
    return OK;
  }

  /** Answers a ringing call (1:1) or joins it (group). */
  accept(callId: Uint8Array, now: number): CallResult {
    const call = this.#calls.get(toHex(callId));
    if (call === undefined) return refuse('no-such-call');
    if (call.phase !== 'incoming') return refuse('wrong-phase');
    if (this.#busy(call)) return refuse('busy');
    return this.#accept(call, now);
  }

  /** Declines a ringing call: tells the room `decline` and ends it here as `declined`. */
  decline(callId: Uint8Array): CallResult {
    const call = this.#calls.get(toHex(callId));
    if (call === undefined) return refuse('no-such-call');
    if (call.phase !== 'incoming') return refuse('wrong-phase');
    call.send({ kind: 'decline', callId });
    call.end('declined');
    return OK;
  }

  /** Leaves the call (or, the caller, gives up before anyone answered). */
  hangup(callId: Uint8Array): CallResult {
    const call = this.#calls.get(toHex(callId));
    if (call === undefined) return refuse('no-such-call');
    if (call.phase === 'incoming') return this.decline(callId);
    if (!call.live) return refuse('wrong-phase');
    call.send({ kind: 'hangup', callId, reason: 'normal', to: undefined });
    if (call.phase === 'outgoing') this.#missed(call);
    else call.end('hangup');
    return OK;
  }

  /** The SDP the media layer made for `peer` (after `create-offer` or `accept-offer`). */
  localDescription(callId: Uint8Array, peer: DeviceId, sdp: string): CallResult {
    const call = this.#calls.get(toHex(callId));
    if (call?.peer(peer) === undefined || !call.live) return refuse('no-such-call');
    if (!hasFingerprint(sdp)) return refuse('no-fingerprint');
    const kind = offers(this.#self.device, peer) ? 'offer' : 'answer';
    call.send({ kind, callId, to: peer, sdp });
    return OK;
  }

  /**
   * An ICE candidate the media layer gathered for `peer`, trickled to it; `candidate` '' says
   * there are no more.
   */
  localCandidate(callId: Uint8Array, peer: DeviceId, candidate: string, mid?: string): CallResult {
    const call = this.#calls.get(toHex(callId));
    if (call?.peer(peer) === undefined || !call.live) return refuse('no-such-call');
    call.send({ kind: 'ice', callId, to: peer, candidate, mid });
    return OK;
  }

  /** The media layer reached `peer` (ICE and DTLS done), or gave up on it. */
  mediaState(callId: Uint8Array, peer: DeviceId, connected: boolean): CallResult {
    const call = this.#calls.get(toHex(callId));
    if (call?.peer(peer) === undefined || !call.live) return refuse('no-such-call');
    if (connected) {
      call.setPeer(call.peer(peer)?.member ?? { device: peer, user: this.#self.user }, 'connected');
      call.setPhase('connected', undefined);
      return OK;
    }
    call.drop(peer);
    if (!call.group || call.joined().length === 0) {
      call.send({ kind: 'hangup', callId, reason: 'failed', to: undefined });
      call.end('failed');
    }
    return OK;
  }

  /** A call signal of the room from `from`, the MLS-authenticated sender device. */
  receive(roomId: RoomId, from: DeviceId, signal: CallSignal, now: number): CallResult {
    const sender = this.#members.get(roomId)?.get(from);
    if (sender === undefined) return refuse('not-a-member');
    if (from === this.#self.device) return refuse('not-for-me');
    if (signal.kind === 'invite') return this.#invited(roomId, sender, signal, now);
    const key = toHex(signal.callId);
    const call = this.#calls.get(key);
    if (call === undefined && signal.kind === 'hangup') {
      this.#gone.add(key);
      for (const k of this.#gone) if (this.#gone.size > KEEP_ENDED) this.#gone.delete(k);
    }
    if (call?.roomId !== roomId || !call.live) return refuse('not-for-me');
    return this.#inbound.handle(call, sender, signal, now);
  }

  /** Timeouts: unanswered invites end as missed, connections that never came up as failed. */
  tick(now: number): void {
    for (const call of this.#calls.values()) {
      if (!call.live || !call.due(now)) continue;
      if (call.phase === 'outgoing') {
        call.send({ kind: 'hangup', callId: call.id, reason: 'timeout', to: undefined });
        this.#missed(call);
      } else if (call.phase === 'incoming') {
        call.end('missed');
      } else if (call.phase === 'connecting') {
        call.send({ kind: 'hangup', callId: call.id, reason: 'failed', to: undefined });
        call.end('failed');
      }
    }
  }

  // ---- internals -------------------------------------------------------------------------

  #busy(except?: Call): boolean {
    return [...this.#calls.values()].some((c) => c !== except && c.live && c.phase !== 'incoming');
  }

  #open(init: ConstructorParameters<typeof Call>[0]): Call {
    const call = new Call(init, (o) => this.#out.push(o));
    this.#calls.set(call.key, call);
    const ended = [...this.#calls.values()].filter((c) => !c.live && !c.pending);
    for (const c of ended.slice(0, Math.max(0, ended.length - KEEP_ENDED)))
      this.#calls.delete(c.key);
    return call;
  }

  #invited(
    roomId: RoomId,
    sender: CallMember,
    s: Extract<CallSignal, { kind: 'invite' }>,
    now: number,
  ): CallResult {
    if (this.#calls.has(toHex(s.callId)) || this.#gone.has(toHex(s.callId))) return OK;
    // A call another device of this user made: nothing rings here.
    if (sender.user === this.#self.user) return refuse('not-for-me');
    const mine = [...this.#calls.values()].find(
      (c) => c.live && c.isCaller && c.phase === 'outgoing' && c.roomId === roomId,
    );
    if (mine !== undefined) {
      // Glare: two invites crossed. The lower call ID wins on both sides, whatever arrived first.
      if (compareBytes(s.callId, mine.id) > 0) return OK;
      mine.send({ kind: 'hangup', callId: mine.id, reason: 'glare', to: undefined });
      mine.end('merged');
      return this.#ring(roomId, sender, s, now, true);
    }
    if (this.#busy()) {
      this.#out.push({ type: 'send', roomId, signal: { kind: 'busy', callId: s.callId } });
      return OK;
    }
    return this.#ring(roomId, sender, s, now, false);
  }

  #ring(
    roomId: RoomId,
    sender: CallMember,
    s: Extract<CallSignal, { kind: 'invite' }>,
    now: number,
    answer: boolean,
  ): CallResult {
    const call = this.#open({
      callId: s.callId,
      roomId,
      media: s.media,
      group: s.group,
      caller: sender,
      self: this.#self,
      phase: 'incoming',
      deadline: now + CallTimings.ringMs,
    });
    // The user who lost a glare wanted this call: it is answered at once.
    if (answer) return this.#accept(call, now);
    call.send({ kind: 'ringing', callId: s.callId });
    return OK;
  }

  #accept(call: Call, now: number): CallResult {
    if (call.wouldBe(0) > call.limit) return refuse('call-full');
    call.setPhase('connecting', now + CallTimings.connectMs);
    call.send({ kind: 'accept', callId: call.id });
    // 1:1: the caller picks one answering device and connects (`answered`).
    if (call.group) for (const p of call.joined()) call.connectTo(p.member);
    return OK;
  }

  /** The caller's call ended before anyone answered: a missed call for the room. */
  #missed(call: Call): void {
    call.end('missed');
    this.#out.push({
      type: 'missed-call',
      roomId: call.roomId,
      callId: call.id,
      media: call.media,
    });
  }

  /** 1:1: whether every device of the other users said busy or declined. */
  #busyElsewhere(call: Call): boolean {
    const others = [...(this.#members.get(call.roomId)?.values() ?? [])].filter(
      (m) => m.user !== this.#self.user,
    );
    return (
      others.length > 0 &&
      others.every((m) => {
        const state = call.peer(m.device)?.state;
        return state === 'busy' || state === 'declined';
      })
    );
  }
}
