import type { DeviceId, RoomId, UserId } from '../ids.ts';
import type { CallMedia, CallSignal } from './call-signal.ts';

/** Timings of calls (ms, on the clock the caller passes in). */
export const CallTimings = {
  /** How long an invite rings before the call counts as unanswered. */
  ringMs: 45_000,
  /** How long an answered call may take to connect media before it fails. */
  connectMs: 30_000,
} as const;

/** Mesh limits, this device included: beyond them a call needs an SFU. */
export const CallLimits = { audio: 8, video: 4 } as const;

/** A member device of the room, as MLS authenticates it. */
export interface CallMember {
  readonly device: DeviceId;
  readonly user: UserId;
}

/** Where a call stands on this device, from inviting or ringing until it ended. */
export type CallPhase =
  /** This device invited; nobody answered yet. */
  | 'outgoing'
  /** Ringing on this device. */
  | 'incoming'
  /** Answered (or joined); media being negotiated. */
  | 'connecting'
  /** Media flows with at least one peer. */
  | 'connected'
  | 'ended';

/** Why a call ended on this device (set once its phase is `ended`). */
export type CallEndReason =
  /** This device hung up, or (1:1) the other side did, or everyone else left. */
  | 'hangup'
  | 'declined'
  | 'busy'
  /** Nobody answered in time, or the caller gave up before anyone did. */
  | 'missed'
  /** Another device of this user answered. */
  | 'answered-elsewhere'
  /** Two invites crossed and this one lost; the device carries on in the other call. */
  | 'merged'
  /** Media did not connect in time, or failed. */
  | 'failed'
  /** The mesh was full. */
  | 'full'
  /** This device, or (1:1) the other side, is no longer a member of the room. */
  | 'removed';

/** Where one peer device stands in a call, as its signals and the media layer report it. */
export type PeerState =
  'invited' | 'ringing' | 'busy' | 'declined' | 'joined' | 'connected' | 'left';

/** One peer device of a call, as the app shows it. */
export interface CallPeerView {
  readonly device: DeviceId;
  readonly user: UserId;
  readonly state: PeerState;
}

/** What the app shows of one call. */
export interface CallView {
  readonly callId: Uint8Array;
  readonly roomId: RoomId;
  readonly media: CallMedia;
  readonly group: boolean;
  /** The device that invited. */
  readonly caller: CallMember;
  readonly phase: CallPhase;
  readonly endReason: CallEndReason | undefined;
  readonly peers: readonly CallPeerView[];
}

/** What the app's WebRTC layer must do for one peer of a call. */
export type MediaAction =
  /** Creates the peer connection (with the SFrame transforms set before negotiating). */
  | { readonly action: 'open' }
  /** This device offers to the peer: create an offer, then `localDescription`. */
  | { readonly action: 'create-offer' }
  /** Apply the peer's offer, create an answer, then `localDescription`. */
  | { readonly action: 'accept-offer'; readonly sdp: string }
  | { readonly action: 'apply-answer'; readonly sdp: string }
  | {
      readonly action: 'add-candidate';
      readonly candidate: string;
      readonly mid: string | undefined;
    }
  | { readonly action: 'close' };

/** What the machine asks of the world; drained with `CallMachine.take()`. */
export type CallOutput =
  | { readonly type: 'send'; readonly roomId: RoomId; readonly signal: CallSignal }
  | ({ readonly type: 'media'; readonly callId: Uint8Array; readonly peer: DeviceId } & MediaAction)
  /** A call's view changed (phase, peers). */
  | { readonly type: 'state'; readonly view: CallView }
  /**
   * An outgoing call ended with nobody answering: the caller's device posts the missed-call
   * message (`missedCallMessage`) to the room, once, for everyone.
   */
  | {
      readonly type: 'missed-call';
      readonly roomId: RoomId;
      readonly callId: Uint8Array;
      readonly media: CallMedia;
    };

/** Why the machine refused a local action or an incoming signal (a result, not an error). */
export type CallRefusal =
  | 'no-such-call'
  /** This device is in another call. */
  | 'busy'
  /** Joining would take the mesh past `CallLimits`. */
  | 'call-full'
  /** The action does not fit the call's phase (answering a call that ended...). */
  | 'wrong-phase'
  /** The sender is not a member device of the room (never was, or was removed). */
  | 'not-a-member'
  /** A signal meant for another device, or about a call this device does not take part in. */
  | 'not-for-me'
  /** An SDP without a DTLS fingerprint: media could not be bound to the signalling. */
  | 'no-fingerprint';

/**
 * The outcome of a `CallMachine` action or received signal: done, or refused with a reason
 * (refusals are results, not exceptions).
 */
export type CallResult =
  { readonly ok: true } | { readonly ok: false; readonly refusal: CallRefusal };
