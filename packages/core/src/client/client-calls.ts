import { CALL_ID_BYTES, type CallMedia } from '../calls/call-signal.ts';
import type { CallRefusal, CallResult, CallView } from '../calls/call-types.ts';
import { sframeBaseKey } from '../calls/sframe/mls-base-key.ts';
import type { SframeEpochInput } from '../calls/sframe/mls-keys.ts';
import { sframeSuite, SframeSuites } from '../calls/sframe/suites.ts';
import type { DeviceId, RoomId } from '../ids.ts';
import type { CallEngine } from './call-engine.ts';
import type { DeviceContext } from './device-context.ts';
import { ClientError } from './errors.ts';

/** How `KithClient.calls.start` starts a call. */
export interface StartCallOptions {
  /** Audio only (default), or audio and video. */
  readonly media?: CallMedia;
  /**
   * A group call (a mesh of everyone who joins) or a 1:1 call (the first device that answers).
   * Default: 1:1 when the room has two users, group otherwise.
   */
  readonly group?: boolean;
}

/** The outcome of starting a call: its ID, or why it could not start (a result, not an error). */
export type StartCallResult =
  | { readonly ok: true; readonly callId: Uint8Array }
  | { readonly ok: false; readonly refusal: CallRefusal };

/**
 * A device's calls (`KithClient.calls`): what the user does (start, accept, decline, hang up)
 * and what the app's WebRTC layer reports (its SDP, candidates, whether media is up). Call
 * signals travel as ephemeral MLS messages of the room. Events: `call` (a call's view
 * changed: ringing, connecting, connected, ended with a reason) and `callMedia` (a step for the
 * WebRTC layer). Every method waits its turn in the client's queue, like any input.
 */
export class ClientCalls {
  readonly #d: DeviceContext;
  readonly #run: <T>(task: () => Promise<T>) => Promise<T>;

  constructor(d: DeviceContext, run: <T>(task: () => Promise<T>) => Promise<T>) {
    this.#d = d;
    this.#run = run;
  }

  /** Starts a call in a room; every other member device rings. */
  start(roomId: RoomId, options: StartCallOptions = {}): Promise<StartCallResult> {
    return this.#run(async () => {
      const session = this.#d.sessions.get(roomId);
      if (session === undefined) throw new ClientError('UNKNOWN_ROOM', `no room ${roomId}`);
      const users = new Set(session.members().map((m) => m.userId));
      const group = options.group ?? users.size > 2;
      const callId = this.#d.random.bytes(CALL_ID_BYTES);
      const media = options.media ?? 'audio';
      const result = await this.#engine.act(roomId, (now) =>
        this.#engine.machine.invite(roomId, callId, media, group, now),
      );
      return result.ok ? { ok: true, callId } : result;
    });
  }

  /** Answers a ringing call (1:1) or joins it (group). */
  accept(callId: Uint8Array): Promise<CallResult> {
    return this.#act(callId, (now) => this.#engine.machine.accept(callId, now));
  }

  /** Declines a ringing call: it stops ringing on this user's other devices too. */
  decline(callId: Uint8Array): Promise<CallResult> {
    return this.#act(callId, () => this.#engine.machine.decline(callId));
  }

  /** Leaves the call (or cancels it, the caller, before anyone answered: a missed call). */
  hangup(callId: Uint8Array): Promise<CallResult> {
    return this.#act(callId, () => this.#engine.machine.hangup(callId));
  }

  /**
   * The WebRTC layer's SDP for `peer`, after a `create-offer` or `accept-offer` step. It must
   * name its DTLS certificate (`a=fingerprint`): the peer checks its media against it.
   */
  localDescription(callId: Uint8Array, peer: DeviceId, sdp: string): Promise<CallResult> {
    return this.#act(callId, () => this.#engine.machine.localDescription(callId, peer, sdp));
  }

  /** An ICE candidate the WebRTC layer gathered for `peer` ('' once there are no more). */
  localCandidate(
    callId: Uint8Array,
    peer: DeviceId,
    candidate: string,
    mid?: string,
  ): Promise<CallResult> {
    return this.#act(callId, () =>
      this.#engine.machine.localCandidate(callId, peer, candidate, mid),
    );
  }

  /** Media with `peer` is up (ICE, DTLS with the signalled fingerprint), or failed. */
  mediaState(callId: Uint8Array, peer: DeviceId, connected: boolean): Promise<CallResult> {
    return this.#act(callId, () => this.#engine.machine.mediaState(callId, peer, connected));
  }

  /**
   * The SFrame keys of a call for the room's current MLS epoch (RFC 9605 §5.2), for the media
   * layer's `MlsSframeKeys`: ask again after every `membership` event of the room, so a member
   * who left holds no key of what is sent next (and its frames are refused). Undefined when
   * the call or the room is gone.
   */
  sframeEpoch(callId: Uint8Array): Promise<SframeEpochInput | undefined> {
    return this.#run(async () => {
      const view = this.view(callId);
      const session = view === undefined ? undefined : this.#d.sessions.get(view.roomId);
      const self = session?.group.self();
      if (view === undefined || session === undefined || self === undefined) return undefined;
      // Every member of the room derives the key anyway; any of them may join a group call.
      const members = session.members().map((m) => m.leafIndex);
      const head = session.group.head;
      const baseKey = await sframeBaseKey(
        head,
        this.#d.env.groupOptions.cs,
        sframeSuite(SframeSuites.AES_128_GCM_SHA256_128),
      );
      return { epoch: head.epoch, baseKey, members, self: self.leafIndex };
    });
  }

  /** The call this device takes part in or rings for, if any. */
  current(): CallView | undefined {
    return this.#engine.machine.current();
  }

  /** A call this device knows (live or recently ended). */
  view(callId: Uint8Array): CallView | undefined {
    return this.#engine.machine.view(callId);
  }

  get #engine(): CallEngine {
    return this.#d.calls;
  }

  #act(callId: Uint8Array, action: (now: number) => CallResult): Promise<CallResult> {
    return this.#run(() => this.#engine.act(this.view(callId)?.roomId, action));
  }
}
