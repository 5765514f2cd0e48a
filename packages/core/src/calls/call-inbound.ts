import { hasFingerprint, offers, type Call } from './call.ts';
import type { CallSignal } from './call-signal.ts';
import { CallTimings, type CallMember, type CallRefusal, type CallResult } from './call-types.ts';

const OK: CallResult = { ok: true };
const refuse = (refusal: CallRefusal): CallResult => ({ ok: false, refusal });

type Signal<K extends CallSignal['kind']> = Extract<CallSignal, { kind: K }>;

/** What the machine lends the inbound handlers. */
export interface InboundEnv {
  readonly self: CallMember;
  readonly busyElsewhere: (call: Call) => boolean;
}

/**
 * Signals about a call this device knows, from a member device of the room (the machine has
 * checked that). Each handler moves only the call it is given.
 */
export class CallInbound {
  readonly #env: InboundEnv;

  constructor(env: InboundEnv) {
    this.#env = env;
  }

  handle(call: Call, from: CallMember, s: CallSignal, now: number): CallResult {
    switch (s.kind) {
      case 'invite':
        return OK;
      case 'ringing':
        if (call.isCaller && call.peer(from.device) === undefined) call.setPeer(from, 'ringing');
        return OK;
      case 'accept':
        return this.#accepted(call, from, now);
      case 'answered':
        return this.#answered(call, from, s);
      case 'decline':
      case 'busy':
        return this.#refused(call, from, s.kind);
      case 'hangup':
        return this.#hungUp(call, from, s);
      case 'offer':
      case 'answer':
        return this.#description(call, from, s, now);
      case 'ice':
        if (s.to !== this.#env.self.device) return refuse('not-for-me');
        if (
          call.peer(from.device)?.state !== 'joined' &&
          call.peer(from.device)?.state !== 'connected'
        ) {
          return refuse('not-for-me');
        }
        call.mediaFor(from.device, { action: 'add-candidate', candidate: s.candidate, mid: s.mid });
        return OK;
    }
  }

  #accepted(call: Call, from: CallMember, now: number): CallResult {
    const self = this.#env.self;
    // Another device of this user answered: this one stops ringing.
    if (from.user === self.user) {
      if (call.phase === 'incoming') call.end('answered-elsewhere');
      return OK;
    }
    const known = call.peer(from.device);
    if (known?.state === 'joined' || known?.state === 'connected') return OK;
    if (!call.group) {
      // 1:1: the caller connects to the first device that answers and says which one it was.
      if (!call.isCaller || call.phase !== 'outgoing') return OK;
      call.send({ kind: 'answered', callId: call.id, device: from.device });
      call.setPhase('connecting', now + CallTimings.connectMs);
      call.connectTo(from);
      return OK;
    }
    if (call.phase === 'incoming') {
      // Not in the call yet: remember who is, to connect on answering.
      call.setPeer(from, 'joined');
      return OK;
    }
    if (call.wouldBe(1) > call.limit) {
      // Over the limit: every device ranks the same way (see `Call.keep`) and connects only
      // to the first `limit`; one that ranks itself out steps out. Nobody ends above it.
      const keep = call.keep(from.device);
      if (!keep.has(self.device)) {
        call.send({ kind: 'hangup', callId: call.id, reason: 'normal', to: undefined });
        call.end('full');
        return OK;
      }
      for (const p of call.joined()) {
        if (keep.has(p.member.device)) continue;
        call.drop(p.member.device);
        call.send({ kind: 'hangup', callId: call.id, reason: 'full', to: p.member.device });
      }
      if (!keep.has(from.device)) {
        call.send({ kind: 'hangup', callId: call.id, reason: 'full', to: from.device });
        return OK;
      }
    }
    if (call.phase === 'outgoing') call.setPhase('connecting', now + CallTimings.connectMs);
    call.connectTo(from);
    // The newcomer may not know this device (it missed its accept): say it again, so the
    // newcomer, the offerer of the pair, makes the offer.
    if (!offers(self.device, from.device) && !call.isCaller) {
      call.send({ kind: 'accept', callId: call.id });
    }
    return OK;
  }

  #answered(call: Call, from: CallMember, s: Signal<'answered'>): CallResult {
    if (from.device !== call.caller.device || call.group) return refuse('not-for-me');
    if (s.device !== this.#env.self.device) {
      if (call.phase === 'incoming' || call.phase === 'connecting') call.end('answered-elsewhere');
      return OK;
    }
    if (call.phase !== 'connecting') return refuse('wrong-phase');
    call.connectTo(call.caller);
    return OK;
  }

  #refused(call: Call, from: CallMember, kind: 'decline' | 'busy'): CallResult {
    const self = this.#env.self;
    if (from.user === self.user) {
      // One device of this user declined: the others stop ringing.
      if (kind === 'decline' && call.phase === 'incoming') call.end('declined');
      return OK;
    }
    if (!call.isCaller || call.phase !== 'outgoing') return OK;
    call.setPeer(from, kind === 'busy' ? 'busy' : 'declined');
    if (!call.group && kind === 'decline') call.end('declined');
    else if (!call.group && this.#env.busyElsewhere(call)) call.end('busy');
    return OK;
  }

  #hungUp(call: Call, from: CallMember, s: Signal<'hangup'>): CallResult {
    if (s.to !== undefined && s.to !== this.#env.self.device) return refuse('not-for-me');
    if (s.reason === 'full') {
      if (call.phase === 'connecting') call.end('full');
      return OK;
    }
    if (from.device === call.caller.device && call.phase === 'incoming') {
      call.end(s.reason === 'glare' ? 'merged' : 'missed');
      return OK;
    }
    const peer = call.peer(from.device);
    if (peer === undefined) return refuse('not-for-me');
    // Only a device in the call ends it by leaving: one that rang and was not picked (1:1) has
    // no say in the call that went ahead without it.
    const wasIn = peer.state === 'joined' || peer.state === 'connected';
    call.drop(from.device);
    if (call.phase === 'incoming' || !wasIn) return OK;
    if (!call.group || call.joined().length === 0) call.end('hangup');
    return OK;
  }

  #description(
    call: Call,
    from: CallMember,
    s: Signal<'offer' | 'answer'>,
    now: number,
  ): CallResult {
    const self = this.#env.self;
    if (s.to !== self.device) return refuse('not-for-me');
    // A group caller may hear a joiner's offer before its accept (no order across senders).
    const callerWaiting = call.group && call.phase === 'outgoing';
    if (call.phase !== 'connecting' && call.phase !== 'connected' && !callerWaiting) {
      return refuse('wrong-phase');
    }
    // The lower device ID offers; an offer from the other side of the pair is refused.
    const theyOffer = offers(from.device, self.device);
    if ((s.kind === 'offer') !== theyOffer) return refuse('wrong-phase');
    if (!hasFingerprint(s.sdp)) return refuse('no-fingerprint');
    const peer = call.peer(from.device);
    const inCall = peer?.state === 'joined' || peer?.state === 'connected';
    if (!inCall) {
      // Group: a participant this device missed the accept of. 1:1: only the one answered.
      if (!call.group || s.kind === 'answer') return refuse('not-for-me');
      if (call.wouldBe(1) > call.limit) return refuse('call-full');
      call.setPeer(from, 'joined');
      call.mediaFor(from.device, { action: 'open' });
    }
    if (callerWaiting) call.setPhase('connecting', now + CallTimings.connectMs);
    call.mediaFor(
      from.device,
      s.kind === 'offer'
        ? { action: 'accept-offer', sdp: s.sdp }
        : { action: 'apply-answer', sdp: s.sdp },
    );
    return OK;
  }
}
