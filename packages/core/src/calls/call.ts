import { toHex } from '../crypto/bytes.ts';
import type { DeviceId, RoomId } from '../ids.ts';
import type { CallMedia, CallSignal } from './call-signal.ts';
import {
  CallLimits,
  type CallEndReason,
  type CallMember,
  type CallOutput,
  type CallPhase,
  type CallView,
  type MediaAction,
  type PeerState,
} from './call-types.ts';

interface Peer {
  readonly member: CallMember;
  state: PeerState;
}

/** In a pair of devices, the one with the lower device ID makes the offer: no offer glare. */
export function offers(self: DeviceId, peer: DeviceId): boolean {
  return self < peer;
}

const FINGERPRINT = /^a=fingerprint:([!-~]+) ([0-9A-Fa-f:]+)\r?$/m;

/** Whether an SDP names the DTLS certificate its media will present (RFC 8122). */
export function hasFingerprint(sdp: string): boolean {
  return FINGERPRINT.test(sdp);
}

/**
 * The DTLS certificate fingerprint an SDP names (its first `a=fingerprint`), hash name in
 * lower case and hex in upper case, or undefined. A media layer checks the certificate the
 * peer presented against the one named in the MLS-authenticated SDP.
 */
export function sdpFingerprint(sdp: string): { algorithm: string; value: string } | undefined {
  const m = FINGERPRINT.exec(sdp);
  if (m?.[1] === undefined || m[2] === undefined) return undefined;
  return { algorithm: m[1].toLowerCase(), value: m[2].toUpperCase() };
}

export interface CallInit {
  readonly callId: Uint8Array;
  readonly roomId: RoomId;
  readonly media: CallMedia;
  readonly group: boolean;
  readonly caller: CallMember;
  readonly self: CallMember;
  readonly phase: CallPhase;
  readonly deadline: number;
}

/**
 * One call as this device sees it: its phase, its peers and when it times out. It says what
 * to send and what the media layer must do through `out`; the machine routes signals to it.
 */
export class Call {
  readonly id: Uint8Array;
  readonly key: string;
  readonly roomId: RoomId;
  readonly media: CallMedia;
  readonly group: boolean;
  readonly caller: CallMember;
  readonly self: CallMember;
  readonly #out: (o: CallOutput) => void;
  readonly #peers = new Map<DeviceId, Peer>();
  #phase: CallPhase;
  #endReason: CallEndReason | undefined;
  #deadline: number | undefined;
  /** Whether the view changed since `takeChange` last said so. */
  #changed = true;

  constructor(init: CallInit, out: (o: CallOutput) => void) {
    this.id = init.callId;
    this.key = toHex(init.callId);
    this.roomId = init.roomId;
    this.media = init.media;
    this.group = init.group;
    this.caller = init.caller;
    this.self = init.self;
    this.#phase = init.phase;
    this.#deadline = init.deadline;
    this.#out = out;
    if (init.caller.device !== init.self.device) this.setPeer(init.caller, 'joined');
  }

  get phase(): CallPhase {
    return this.#phase;
  }

  get live(): boolean {
    return this.#phase !== 'ended';
  }

  get isCaller(): boolean {
    return this.caller.device === this.self.device;
  }

  /** Whether this device takes part (it invited, or answered). */
  get inCall(): boolean {
    return (
      this.#phase === 'connecting' || this.#phase === 'connected' || this.#phase === 'outgoing'
    );
  }

  get limit(): number {
    return CallLimits[this.media];
  }

  send(signal: CallSignal): void {
    this.#out({ type: 'send', roomId: this.roomId, signal });
  }

  mediaFor(peer: DeviceId, action: MediaAction): void {
    this.#out({ type: 'media', callId: this.id, peer, ...action });
  }

  peer(device: DeviceId): Readonly<Peer> | undefined {
    return this.#peers.get(device);
  }

  setPeer(member: CallMember, state: PeerState): void {
    const peer = this.#peers.get(member.device);
    if (peer === undefined) this.#peers.set(member.device, { member, state });
    else peer.state = state;
    this.#changed = true;
  }

  /** Peers in the call with this device (joined, connecting or connected). */
  joined(): Readonly<Peer>[] {
    return [...this.#peers.values()].filter((p) => p.state === 'joined' || p.state === 'connected');
  }

  /**
   * Which devices stay when `newcomer` would take the mesh past its limit: the caller, then
   * devices with media up, then the others by device ID, the first `limit` of them. Devices
   * that saw the same joins pick the same set, whatever order the joins arrived in.
   */
  keep(newcomer: DeviceId): Set<DeviceId> {
    const established = (d: DeviceId): number => {
      if (d === this.caller.device) return 0;
      if (d === this.self.device) return this.#anyConnected() ? 1 : 2;
      return this.#peers.get(d)?.state === 'connected' ? 1 : 2;
    };
    const all = [this.self.device, newcomer, ...this.joined().map((p) => p.member.device)];
    const ranked = [...new Set(all)].sort(
      (a, b) => established(a) - established(b) || (a < b ? -1 : 1),
    );
    return new Set(ranked.slice(0, this.limit));
  }

  #anyConnected(): boolean {
    return [...this.#peers.values()].some((p) => p.state === 'connected');
  }

  /** The mesh size if `extra` more devices came in, this one included. */
  wouldBe(extra: number): number {
    return this.joined().length + 1 + extra;
  }

  /** Starts media with a peer in the call: open, then offer if this device is the offerer. */
  connectTo(peer: CallMember): void {
    this.setPeer(peer, 'joined');
    this.mediaFor(peer.device, { action: 'open' });
    if (offers(this.self.device, peer.device))
      this.mediaFor(peer.device, { action: 'create-offer' });
  }

  /** A peer left or can no longer take part: its media closes. */
  drop(device: DeviceId, state: PeerState = 'left'): void {
    const peer = this.#peers.get(device);
    if (peer === undefined) return;
    const had = peer.state === 'joined' || peer.state === 'connected';
    peer.state = state;
    this.#changed = true;
    if (had && this.#phase !== 'outgoing' && this.#phase !== 'incoming') {
      this.mediaFor(device, { action: 'close' });
    }
  }

  setPhase(phase: CallPhase, deadline: number | undefined): void {
    this.#phase = phase;
    this.#deadline = deadline;
    this.#changed = true;
  }

  due(now: number): boolean {
    return this.#deadline !== undefined && now >= this.#deadline;
  }

  /** Ends the call here: every open peer connection closes. */
  end(reason: CallEndReason): void {
    if (!this.live) return;
    const inMedia = this.#phase === 'connecting' || this.#phase === 'connected';
    for (const p of this.#peers.values()) {
      if (p.state !== 'joined' && p.state !== 'connected') continue;
      p.state = 'left';
      if (inMedia) this.mediaFor(p.member.device, { action: 'close' });
    }
    this.#phase = 'ended';
    this.#endReason = reason;
    this.#deadline = undefined;
    this.#changed = true;
  }

  /** True once after each change of the view (the machine then reports it). */
  takeChange(): boolean {
    const changed = this.#changed;
    this.#changed = false;
    return changed;
  }

  /** Whether a change is still to be reported. */
  get pending(): boolean {
    return this.#changed;
  }

  view(): CallView {
    return {
      callId: this.id,
      roomId: this.roomId,
      media: this.media,
      group: this.group,
      caller: this.caller,
      phase: this.#phase,
      endReason: this.#endReason,
      peers: [...this.#peers.values()].map((p) => ({
        device: p.member.device,
        user: p.member.user,
        state: p.state,
      })),
    };
  }
}
