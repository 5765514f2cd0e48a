import { describe, expect, it } from 'vitest';
import type { MessageId } from '../../src/content/message-id.ts';
import type { DeviceId, UserId } from '../../src/ids.ts';
import { deliveryTarget, markerOf, RoomReceipts } from '../../src/signals/receipts.ts';
import type { TimelineMessage } from '../../src/timeline/timeline-message.ts';

const [ana, ben, cai] = ['uana', 'uben', 'ucai'] as UserId[] as [UserId, UserId, UserId];
const id = (n: number) => Uint8Array.of(1, ...new Array<number>(30).fill(0), n) as MessageId;
const msg = (n: number, sender: UserId) => ({ messageId: id(n), sender }) as TimelineMessage;
const dev = (name: string) => name as DeviceId;

describe('receipts from markers', () => {
  const timeline = [msg(1, ana), msg(2, ben), msg(3, ana), msg(4, cai)];

  it('a marker covers every message at or before it; read counts as delivered', () => {
    const r = new RoomReceipts(timeline, [
      { device: dev('ben1'), user: ben, delivered: id(4), read: id(1) },
      { device: dev('cai1'), user: cai, delivered: undefined, read: id(3) },
      { device: dev('cai2'), user: cai, delivered: id(1), read: undefined },
    ]);
    expect(r.of(id(1))).toMatchObject({ deliveredTo: [ben, cai], readBy: [ben, cai] });
    expect(r.of(id(3))).toMatchObject({ deliveredTo: [ben, cai], readBy: [cai] });
    expect(r.of(id(3))?.devices).toEqual([
      { device: 'ben1', user: ben, status: 'delivered' },
      { device: 'cai1', user: cai, status: 'read' },
    ]);
    // The sender's own devices are left out.
    expect(r.of(id(4))).toMatchObject({ deliveredTo: [ben], readBy: [] });
    expect(r.of(id(9))).toBeUndefined();
  });

  it('a marker for a message this device lacks covers nothing', () => {
    const r = new RoomReceipts(timeline, [
      { device: dev('ben1'), user: ben, delivered: id(99), read: id(98) },
    ]);
    expect(r.of(id(1))).toMatchObject({ deliveredTo: [], readBy: [] });
  });

  it('reads only message IDs from other devices’ values', () => {
    expect(markerOf(id(1))).toEqual(id(1));
    expect(markerOf(Uint8Array.of(1, 2))).toBeUndefined();
    expect(markerOf(new Uint8Array(32))).toBeUndefined();
    expect(markerOf(undefined)).toBeUndefined();
  });
});

describe('the delivery marker to publish', () => {
  it('is the newest message from someone else, unless a published marker covers it', () => {
    const timeline = [msg(1, ben), msg(2, ana), msg(3, ben), msg(4, ana)];
    expect(deliveryTarget(timeline, ana, [])).toEqual(id(3));
    expect(deliveryTarget(timeline, ana, [id(3)])).toBeUndefined();
    expect(deliveryTarget(timeline, ana, [undefined, id(4)])).toBeUndefined();
    expect(deliveryTarget(timeline, ana, [id(1)])).toEqual(id(3));
    expect(deliveryTarget([msg(1, ana)], ana, [])).toBeUndefined();
  });
});
