import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import type { DeliveryStatus } from '../../src/client/message-status.ts';
import { fromHex } from '../../src/crypto/bytes.ts';
import type { TransportPort } from '../../src/ports/transport.ts';
import { readPositionKey } from '../../src/signals/settings.ts';
import { KvStore } from '../../src/storage/store.ts';
import { encodeDirectFrame } from '../../src/sync/frames.ts';
import { World } from './world.ts';

/** Records the `onStored` callbacks the client hands its transport (a relay would call them). */
function watchStored(stored: (() => void)[]): (t: TransportPort) => TransportPort {
  return (t) => ({
    self: t.self,
    subscribe: (topic) => {
      t.subscribe(topic);
    },
    unsubscribe: (topic) => {
      t.unsubscribe(topic);
    },
    publish: (topic, data, options) => {
      if (options?.onStored !== undefined && options.ephemeral !== true) {
        stored.push(options.onStored);
      }
      return t.publish(topic, data, options);
    },
    sendTo: (device, data) => t.sendTo(device, data),
    onMessage: (h) => t.onMessage(h),
    onPeer: (h) => t.onPeer(h),
    close: () => t.close(),
  });
}

/** A device's own endpoint, to send what its client never would; `deaf` withholds its input. */
interface Raw {
  endpoint?: TransportPort;
  deaf: boolean;
}

function keep(slot: Raw): (t: TransportPort) => TransportPort {
  return (t) => {
    slot.endpoint = t;
    return {
      ...watchStored([])(t),
      onMessage: (h) =>
        t.onMessage((m) => {
          if (!slot.deaf) h(m);
        }),
    };
  };
}

async function room(seed: number) {
  const world = new World(seed);
  const stored: (() => void)[] = [];
  const a = await world.add('a', { wrap: watchStored(stored) });
  const mallory: Raw = { deaf: false };
  const bDb = new MemoryLevel<string, Uint8Array>(KvStore.databaseOptions);
  const b = await world.add('b', { wrap: keep(mallory), db: bDb });
  const c = await world.add('c');
  const roomId = await a.createRoom();
  await world.invite(a, roomId, [b, c]);
  await world.tickAll();
  return { world, a, b, c, roomId, stored, mallory, bDb };
}

const state = (s: DeliveryStatus | undefined) =>
  s === undefined ? undefined : { state: s.state, delivered: s.delivered, of: s.devices };

describe('delivery states of own messages', () => {
  it('go sending, sent, stored, delivered (1 of 2, then 2 of 2), read, in order', async () => {
    const { world, a, b, c, roomId, stored } = await room(301);
    const seen: string[] = [];
    a.on('timeline', (e) => {
      for (const ch of e.changes) {
        if (ch.type === 'added' && ch.message.senderDevice === a.deviceId) {
          seen.push(a.messageStatus(roomId, ch.message.messageId)?.state ?? 'none');
        }
      }
    });
    const events: unknown[] = [];
    a.on('messageStatus', (e) => events.push(e));
    stored.length = 0;
    const id = await a.send(roomId, 'hello');
    // Emitted when stored, before it went out.
    expect(seen).toEqual(['sending']);
    expect(state(a.messageStatus(roomId, id))).toEqual({ state: 'sent', delivered: 0, of: 2 });
    expect(events).toEqual([{ type: 'messageStatus', roomId }]);

    // A relay acknowledges the copy the transport was handed.
    expect(stored).toHaveLength(1);
    stored[0]?.();
    expect(state(a.messageStatus(roomId, id))).toEqual({ state: 'stored', delivered: 0, of: 2 });
    expect(events).toHaveLength(2);

    // Delivery markers: b's first, then c's.
    await b.setSignals({ deliveryReceipts: true });
    await c.setSignals({ deliveryReceipts: false, readReceipts: false });
    await world.settle();
    await world.network.advance(5_000);
    await b.tick();
    await world.settle();
    expect(state(a.messageStatus(roomId, id))).toEqual({
      state: 'delivered',
      delivered: 1,
      of: 2,
    });
    await c.setSignals({ deliveryReceipts: true });
    await world.network.advance(5_000);
    await c.tick();
    await world.settle();
    expect(state(a.messageStatus(roomId, id))).toEqual({
      state: 'delivered',
      delivered: 2,
      of: 2,
    });

    await b.markRead(roomId, id);
    await world.network.advance(5_000);
    await b.tick();
    await world.settle();
    const read = a.messageStatus(roomId, id);
    expect(read).toMatchObject({ state: 'read', delivered: 2, devices: 2, readBy: [b.userId] });
    // Only this device's own messages have a delivery state.
    expect(b.messageStatus(roomId, id)).toBeUndefined();
  });

  it('what is unconfirmed at a restart is sending again until it is published', async () => {
    const { world, a, b, c, roomId } = await room(302);
    world.network.partition([[a.deviceId], [b.deviceId, c.deviceId]]);
    const id = await a.send(roomId, 'alone');
    expect(a.messageStatus(roomId, id)?.state).toBe('sent');
    const reopened = await world.restart(a);
    expect(reopened.messageStatus(roomId, id)?.state).toBe('sending');
    await world.network.advance(5_000);
    await reopened.tick();
    expect(reopened.messageStatus(roomId, id)?.state).toBe('sent');
    world.network.heal();
    await world.settle();
    await world.tickAll();
    expect(reopened.messageStatus(roomId, id)?.state).toBe('delivered');
  });
});

describe('members who lie about receipts', () => {
  it('a hello claiming the sender’s updates by a made-up hash counts for nothing', async () => {
    const { world, a, b, c, roomId, mallory } = await room(303);
    mallory.deaf = true; // b never gets what follows
    const id = await a.send(roomId, 'not for b');
    await world.settle();
    await world.network.advance(5_000);
    await c.tick();
    await world.settle();
    const before = state(a.messageStatus(roomId, id));
    expect(before).toEqual({ state: 'delivered', delivered: 1, of: 2 });
    // b, bypassing its client, says it holds a's chain up to the message (and far beyond),
    // with hashes it made up: it never had the updates, so it cannot name theirs.
    const own = a.device.keyPair.publicKey;
    for (const seq of [0, 1, 2, 3, 4, 5, 6, 7, 1_000_000]) {
      await mallory.endpoint?.sendTo(
        a.deviceId,
        encodeDirectFrame({
          type: 'hello',
          groupId: fromHex(roomId) ?? new Uint8Array(),
          epoch: 0n,
          epochIds: [],
          heads: [{ author: own, seq, head: new Uint8Array(32).fill(7) }],
          reply: true,
        }),
      );
      await world.settle();
      expect(state(a.messageStatus(roomId, id))).toEqual(before);
    }
    expect(b.timeline(roomId).some((m) => m.content.body.kind === 'single')).toBe(false);
  });

  it('a read marker naming a message its device never had covers nothing; a lie counts only for the liar', async () => {
    const { world, a, b, c, roomId, bDb } = await room(304);
    await c.setSignals({ deliveryReceipts: false, readReceipts: false });
    await b.setSignals({ deliveryReceipts: false });
    const seen = await a.send(roomId, 'everyone has this');
    await world.settle();
    world.network.partition([[a.deviceId, c.deviceId], [b.deviceId]]);
    const unseen = await a.send(roomId, 'b never gets this');
    await world.settle();
    // b's device is made to say it read `unseen` (its stored read position, tampered with)...
    await bDb.put(readPositionKey(roomId), Uint8Array.from(unseen));
    const liar = await world.restart(b);
    await world.network.advance(5_000);
    await liar.tick();
    world.network.heal();
    await world.settle();
    // ...which a holds, so b's claim for itself counts: b alone, never c.
    const lied = a.messageStatus(roomId, unseen);
    expect(lied).toMatchObject({ state: 'read', readBy: [b.userId] });
    expect(c.receipts(roomId, unseen).readBy).toEqual([b.userId]);

    // A marker naming a message nobody holds (a guessed ID) covers nothing at all.
    // (Same hash-type byte, other digest.)
    const guessed = Uint8Array.from([seen[0] ?? 1, ...seen.slice(1).reverse()]);
    const fresh = await a.send(roomId, 'after the guess');
    await world.settle();
    expect(a.messageStatus(roomId, fresh)?.readBy).toEqual([]);
    await bDb.put(readPositionKey(roomId), guessed);
    const liar2 = await world.restart(liar);
    await world.network.advance(5_000);
    await liar2.tick();
    await world.settle();
    expect(liar2.readPosition(roomId)).toEqual(guessed);
    expect(a.messageStatus(roomId, fresh)?.readBy).toEqual([]);
  });

  it('a removed member’s devices stop counting', async () => {
    const { world, a, b, roomId } = await room(305);
    const id = await a.send(roomId, 'before the removal');
    await world.settle();
    await world.network.advance(5_000);
    await world.tickAll();
    expect(state(a.messageStatus(roomId, id))).toEqual({ state: 'delivered', delivered: 2, of: 2 });
    await a.remove(roomId, b.userId);
    await world.settle();
    expect(state(a.messageStatus(roomId, id))).toEqual({ state: 'delivered', delivered: 1, of: 1 });
  });
});
