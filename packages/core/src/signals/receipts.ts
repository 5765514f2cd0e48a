import { asMessageId, type MessageId } from '../content/message-id.ts';
import { toHex } from '../crypto/bytes.ts';
import type { DeviceId, UserId } from '../ids.ts';
import type { TimelineMessage } from '../timeline/timeline-message.ts';

/**
 * The `meta:` key of the delivery marker: the newest message (from someone else) a device
 * holds. With the read marker (`read`) it is how Kith carries MIMI message status "delivered"
 * and "read" (docs/PROTOCOL.md, "Receipts"): one value per device, not one report per message.
 */
export const DELIVERED_META_KEY = 'delivered';

/** How far a device has got with a message: it holds it, or its user has read it. */
export type ReceiptStatus = 'delivered' | 'read';

/** How far one member device has received and read, as its markers say. */
export interface DeviceMarkers {
  readonly device: DeviceId;
  readonly user: UserId;
  readonly delivered: MessageId | undefined;
  readonly read: MessageId | undefined;
}

/** One member device's receipt for a message. */
export interface DeviceReceipt {
  /** The member device whose marker this is. */
  readonly device: DeviceId;
  /** That device's user. */
  readonly user: UserId;
  /** How far that device has got with the message. */
  readonly status: ReceiptStatus;
}

/** Who has one message, and who has read it. The sender's own devices are left out. */
export interface MessageReceipts {
  readonly messageId: MessageId;
  /** Users with a device that has the message (those who read it included). */
  readonly deliveredTo: readonly UserId[];
  /** Users with a device that has read it. */
  readonly readBy: readonly UserId[];
  /** Each member device that has the message, with its status. */
  readonly devices: readonly DeviceReceipt[];
}

/** A marker value, or undefined when another device's value is not a message ID. */
export function markerOf(value: Uint8Array | undefined): MessageId | undefined {
  if (value === undefined) return undefined;
  try {
    return asMessageId(value);
  } catch {
    return undefined;
  }
}

/**
 * Receipts of every message of a room. A marker covers every message at or before it in
 * timeline order, and a read marker counts as delivered too. A marker naming a message this
 * device does not hold covers nothing here (yet): receipts are never claimed on a guess.
 */
export class RoomReceipts {
  readonly #position = new Map<string, number>();
  readonly #timeline: readonly TimelineMessage[];
  readonly #devices: readonly { device: DeviceId; user: UserId; got: number; read: number }[];

  constructor(timeline: readonly TimelineMessage[], markers: readonly DeviceMarkers[]) {
    this.#timeline = timeline;
    timeline.forEach((m, i) => this.#position.set(toHex(m.messageId), i));
    const at = (id: MessageId | undefined): number =>
      id === undefined ? -1 : (this.#position.get(toHex(id)) ?? -1);
    this.#devices = markers.map((m) => {
      const read = at(m.read);
      return { device: m.device, user: m.user, read, got: Math.max(read, at(m.delivered)) };
    });
  }

  /** The receipts of one message, or undefined when it is not in the timeline. */
  of(messageId: MessageId): MessageReceipts | undefined {
    const i = this.#position.get(toHex(messageId));
    const message = i === undefined ? undefined : this.#timeline[i];
    if (i === undefined || message === undefined) return undefined;
    const devices: DeviceReceipt[] = [];
    const delivered = new Set<UserId>();
    const read = new Set<UserId>();
    for (const d of this.#devices) {
      if (d.user === message.sender || d.got < i) continue;
      const status: ReceiptStatus = d.read >= i ? 'read' : 'delivered';
      devices.push({ device: d.device, user: d.user, status });
      delivered.add(d.user);
      if (status === 'read') read.add(d.user);
    }
    return {
      messageId: message.messageId,
      deliveredTo: [...delivered],
      readBy: [...read],
      devices,
    };
  }
}

/**
 * The delivery marker this device should publish now, or undefined when what it published
 * already covers it: the newest message from someone else, unless a published marker (read
 * or delivered) is at or after it. Walks back from the end, so it costs what arrived since.
 */
export function deliveryTarget(
  timeline: readonly TimelineMessage[],
  self: UserId,
  published: readonly (Uint8Array | undefined)[],
): MessageId | undefined {
  const markers = new Set(published.flatMap((p) => (p === undefined ? [] : [toHex(p)])));
  for (let i = timeline.length - 1; i >= 0; i--) {
    const m = timeline[i];
    if (m === undefined) continue;
    if (markers.has(toHex(m.messageId))) return undefined;
    if (m.sender !== self) return m.messageId;
  }
  return undefined;
}
