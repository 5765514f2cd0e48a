import { asMessageId, type MessageId } from '../content/message-id.ts';
import { bytesEqual } from '../crypto/bytes.ts';
import type { DeviceId, RoomId, UserId } from '../ids.ts';
import { markerIntervalMs } from '../signals/limits.ts';
import {
  DELIVERED_META_KEY,
  deliveryTarget,
  markerOf,
  RoomReceipts,
  type DeviceMarkers,
} from '../signals/receipts.ts';
import { readPositionKey, type SignalSettings } from '../signals/settings.ts';
import { keyPrefix, splitKey } from '../storage/keys.ts';
import type { KvStore } from '../storage/store.ts';
import { READ_MARKER_KEY } from '../timeline/limits.ts';
import { ClientError } from './errors.ts';
import type { KithEvent, KithEventOf } from './events.ts';
import type { RoomSession } from './room-session.ts';

export interface MarkerEnv {
  readonly userId: UserId;
  readonly deviceId: DeviceId;
  readonly kv: KvStore;
  readonly emit: (event: KithEvent) => void;
}

/**
 * Read and delivery receipts on one device (docs/PROTOCOL.md §2): the user's read position
 * (kept on the device, published only with read receipts on), this device's two markers in each
 * room, written at most once per interval, and the receipts other members' markers give.
 */
export class ReceiptMarkers {
  readonly #env: MarkerEnv;
  readonly #readPositions = new Map<RoomId, MessageId>();
  readonly #lastWrite = new Map<RoomId, number>();
  readonly #changed = new Set<RoomId>();

  private constructor(env: MarkerEnv) {
    this.#env = env;
  }

  static async load(env: MarkerEnv): Promise<ReceiptMarkers> {
    const markers = new ReceiptMarkers(env);
    for await (const [key, value] of env.kv.entries({ prefix: keyPrefix('signals', 'read') })) {
      const roomId = splitKey(key)[2];
      const marker = markerOf(value);
      if (roomId !== undefined && marker !== undefined) {
        markers.#readPositions.set(roomId as RoomId, marker);
      }
    }
    return markers;
  }

  /** How far this user has read in the room on this device (published or not). */
  readPosition(session: RoomSession): MessageId | undefined {
    return (
      this.#readPositions.get(session.roomId) ?? markerOf(session.doc.ownMeta(READ_MARKER_KEY))
    );
  }

  /**
   * Moves the read position to `messageId` (never back). It is kept on this device, and
   * published with the room's rate limit when read receipts are on.
   */
  async markRead(
    session: RoomSession,
    messageId: MessageId,
    now: number,
    settings: SignalSettings,
  ): Promise<void> {
    const timeline = session.doc.timeline();
    const at = lastIndexOf(timeline, messageId);
    if (at === -1) throw new ClientError('UNKNOWN_MESSAGE', 'no such message in the room');
    const current = this.readPosition(session);
    if (current !== undefined && lastIndexOf(timeline, current) >= at) return;
    const id = asMessageId(Uint8Array.from(messageId));
    await this.#env.kv.put(readPositionKey(session.roomId), id);
    this.#readPositions.set(session.roomId, id);
    if (session.active) await this.write(session, now, settings);
  }

  /** Every message's receipts, from the markers of the room's member devices. */
  receipts(session: RoomSession): RoomReceipts {
    const read = session.doc.readMarkers();
    const delivered = session.doc.metaValues(DELIVERED_META_KEY);
    const markers: DeviceMarkers[] = session.members().map((m) => ({
      device: m.deviceId,
      user: m.userId,
      read: read.get(m.deviceId),
      delivered: markerOf(delivered.get(m.deviceId)),
    }));
    return new RoomReceipts(session.doc.timeline(), markers);
  }

  /** Notes meta changes (from the `meta` event): another device's marker moved. */
  noteMeta(event: KithEventOf<'meta'>): void {
    if (event.device === this.#env.deviceId) return;
    if (event.keys.includes(READ_MARKER_KEY) || event.keys.includes(DELIVERED_META_KEY)) {
      this.#changed.add(event.roomId);
    }
  }

  /** Emits `receipts` (and `messageStatus`) once per room whose markers moved since the last call. */
  flush(): void {
    for (const roomId of this.#changed) {
      this.#env.emit({ type: 'receipts', roomId });
      this.#env.emit({ type: 'messageStatus', roomId });
    }
    this.#changed.clear();
  }

  /**
   * Publishes this device's markers when due: at most one write per room per interval (which
   * grows with the room), the read marker first (it also counts as delivered).
   */
  async write(session: RoomSession, now: number, settings: SignalSettings): Promise<void> {
    const last = this.#lastWrite.get(session.roomId) ?? Number.NEGATIVE_INFINITY;
    if (now - last < markerIntervalMs(session.members().length)) return;
    const doc = session.doc;
    const read = this.#readPositions.get(session.roomId);
    const published = doc.ownMeta(READ_MARKER_KEY);
    if (
      settings.readReceipts &&
      read !== undefined &&
      (published === undefined || !bytesEqual(read, published))
    ) {
      await session.writeMeta(READ_MARKER_KEY, read);
      this.#lastWrite.set(session.roomId, now);
      return;
    }
    if (!settings.deliveryReceipts) return;
    const target = deliveryTarget(doc.timeline(), this.#env.userId, [
      published,
      doc.ownMeta(DELIVERED_META_KEY),
    ]);
    if (target === undefined) return;
    await session.writeMeta(DELIVERED_META_KEY, target);
    this.#lastWrite.set(session.roomId, now);
  }
}

/** Index of a message in the timeline, searched from the end (markers are near it). */
function lastIndexOf(timeline: readonly { messageId: Uint8Array }[], id: Uint8Array): number {
  for (let i = timeline.length - 1; i >= 0; i--) {
    const m = timeline[i];
    if (m !== undefined && bytesEqual(m.messageId, id)) return i;
  }
  return -1;
}
