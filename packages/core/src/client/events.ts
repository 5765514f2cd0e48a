import type { CallView, MediaAction } from '../calls/call-types.ts';
import type { MessageId } from '../content/message-id.ts';
import type { DeviceId, RoomId, UserId } from '../ids.ts';
import type { RoomState } from '../room/room-state.ts';
import type { PresenceState } from '../signals/signal-codec.ts';
import type { TimelineChange } from '../timeline/timeline-message.ts';
import type { InviteRefusalReason } from './safety-policy.ts';

/** Where a room's history stands on this device. */
export interface SyncStatus {
  readonly roomId: RoomId;
  /** The MLS epoch this device is at. */
  readonly epoch: bigint;
  /** True when no member this device has talked to holds epochs or updates it lacks. */
  readonly complete: boolean;
  /** Messages held because an earlier one is missing (a gap in an author's chain). */
  readonly waitingUpdates: number;
  /** MLS messages held for an epoch this device has not reached. */
  readonly waitingEpochs: number;
  /** Own updates not yet seen by any other member. */
  readonly unsent: number;
}

/** What a user of the device sees happen. Handlers get these after the state is stored. */
export type KithEvent =
  | {
      readonly type: 'timeline';
      readonly roomId: RoomId;
      readonly changes: readonly TimelineChange[];
    }
  | {
      readonly type: 'membership';
      readonly roomId: RoomId;
      readonly added: readonly UserId[];
      readonly removed: readonly UserId[];
      /** Those of `removed` who left on their own (proposed their devices' removal). */
      readonly left: readonly UserId[];
      /** The user whose device committed the change (for `removed` minus `left`: who removed them). */
      readonly by: UserId | undefined;
      readonly room: RoomState;
    }
  | { readonly type: 'room'; readonly roomId: RoomId; readonly room: RoomState }
  | { readonly type: 'joined'; readonly roomId: RoomId; readonly invitedBy: DeviceId }
  /** This device is no longer in the room (removed, banned, or left). */
  | { readonly type: 'left'; readonly roomId: RoomId }
  | { readonly type: 'sync'; readonly status: SyncStatus }
  /** A message from someone else that mentions this user arrived. */
  | {
      readonly type: 'mention';
      readonly roomId: RoomId;
      readonly messageId: MessageId;
      readonly by: UserId;
    }
  /** A device's per-device values (`meta:` keys: profile, read marker...) changed. */
  | {
      readonly type: 'meta';
      readonly roomId: RoomId;
      readonly device: DeviceId;
      readonly keys: readonly string[];
    }
  /** Who is typing in a room changed (a signal arrived, or one ran out). */
  | { readonly type: 'typing'; readonly roomId: RoomId; readonly users: readonly UserId[] }
  /** A user's presence changed; `lastSeen` is when a device of theirs last announced itself. */
  | {
      readonly type: 'presence';
      readonly user: UserId;
      readonly state: PresenceState;
      readonly lastSeen: number;
    }
  /** Other members' read or delivery markers moved: receipts in the room changed. */
  | { readonly type: 'receipts'; readonly roomId: RoomId }
  /**
   * The delivery state of some of this device's own messages in the room may have moved
   * (published, kept by a relay, held or read by a member): see `messageStatus`.
   */
  | { readonly type: 'messageStatus'; readonly roomId: RoomId }
  /** Something another device sent was refused; nothing changed. For diagnostics. */
  | { readonly type: 'rejected'; readonly roomId: RoomId | undefined; readonly reason: string }
  /**
   * A user's signed device list changed (this user's own too): devices added or revoked, by a
   * list their user key signed. `first` is the first list seen of that user.
   */
  | {
      readonly type: 'devices';
      readonly userId: UserId;
      readonly version: number;
      readonly added: readonly DeviceId[];
      readonly revoked: readonly DeviceId[];
      readonly first: boolean;
    }
  /** This user blocked or unblocked someone: what every room shows may have changed. */
  | { readonly type: 'blocked'; readonly user: UserId; readonly blocked: boolean }
  /** A call's view changed: it rings, connects, gains or loses a peer, or ended (`calls`). */
  | { readonly type: 'call'; readonly view: CallView }
  /**
   * What the app's WebRTC layer must do for one peer of a call (open a peer connection, make
   * or apply an SDP, add a candidate, close); it reports back through `calls`.
   */
  | {
      readonly type: 'callMedia';
      readonly roomId: RoomId;
      readonly callId: Uint8Array;
      readonly peer: DeviceId;
      readonly step: MediaAction;
    }
  /** An invitation this device turned down (invite policy or a block); it did not join. */
  | {
      readonly type: 'inviteRefused';
      readonly roomId: RoomId;
      /** The inviting user, when the Welcome came from a device of the room. */
      readonly from: UserId | undefined;
      readonly device: DeviceId;
      readonly reason: InviteRefusalReason;
    };

/** The name of an event kind (`'timeline'`, `'joined'`...), as `KithClient.on` takes it. */
export type KithEventType = KithEvent['type'];
/** The event of kind `T`, as a handler for that kind receives it. */
export type KithEventOf<T extends KithEventType> = Extract<KithEvent, { type: T }>;

/** A minimal typed emitter: handlers that throw do not stop the others. */
export class Emitter {
  readonly #handlers = new Map<KithEventType, Set<(event: KithEvent) => void>>();
  readonly #onError: (error: unknown) => void;

  constructor(onError: (error: unknown) => void) {
    this.#onError = onError;
  }

  on<T extends KithEventType>(type: T, handler: (event: KithEventOf<T>) => void): () => void {
    const set = this.#handlers.get(type) ?? new Set();
    const h = handler as (event: KithEvent) => void;
    set.add(h);
    this.#handlers.set(type, set);
    return () => set.delete(h);
  }

  emit(event: KithEvent): void {
    for (const h of this.#handlers.get(event.type) ?? []) {
      try {
        h(event);
      } catch (error) {
        this.#onError(error);
      }
    }
  }
}
