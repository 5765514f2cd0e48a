import { describe, expect, it } from 'vitest';
import type { KithEvent, KithEventOf } from '../../src/client/events.ts';
import type { KithClient } from '../../src/client/kith-client.ts';
import type { RoomId } from '../../src/ids.ts';
import type { PublishOptions } from '../../src/ports/transport.ts';
import { World } from './world.ts';

async function pair(seed: number, names = ['a', 'b']) {
  const world = new World(seed);
  const clients: KithClient[] = [];
  for (const n of names) clients.push(await world.add(n));
  const [a, ...others] = clients as [KithClient, ...KithClient[]];
  const roomId = await a.createRoom();
  await world.invite(a, roomId, others);
  return { world, clients, roomId };
}

function collect<T extends KithEvent['type']>(client: KithClient, type: T): KithEventOf<T>[] {
  const events: KithEventOf<T>[] = [];
  client.on(type, (e) => events.push(e));
  return events;
}

/** Topic messages one device delivered to another from now on (what it published). */
function countTopicMessages(world: World, from: KithClient, to: KithClient): { count: number } {
  const counter = { count: 0 };
  world.network.onTrace((e) => {
    if (e.type === 'deliver' && e.from === from.deviceId && e.to === to.deviceId) {
      if (e.message.kind === 'topic') counter.count++;
    }
  });
  return counter;
}

describe('typing notifications', () => {
  it('100 keystrokes over 15 s send six messages: five "typing" and one "stopped"', async () => {
    const { world, clients, roomId } = await pair(81);
    const [a, b] = clients as [KithClient, KithClient];
    const typing = collect(a, 'typing');
    const sent = countTopicMessages(world, b, a);
    for (let i = 0; i < 100; i++) {
      await b.setTyping(roomId, true);
      await world.network.advance(150);
    }
    expect(a.typing(roomId)).toEqual([b.userId]);
    await b.setTyping(roomId, false);
    await world.settle();
    expect(sent.count).toBe(6);
    expect(a.typing(roomId)).toEqual([]);
    // One event when b started, one when b stopped: refreshes change nothing a user sees.
    expect(typing.map((e) => e.users)).toEqual([[b.userId], []]);
    // Nothing of it was stored or is waiting to be sent.
    expect(b.syncStatus(roomId).unsent).toBe(0);
    expect(a.timeline(roomId)).toEqual([]);
  });

  it('expires after 6 s without a refresh, on the receiver’s clock', async () => {
    const { world, clients, roomId } = await pair(82);
    const [a, b] = clients as [KithClient, KithClient];
    const typing = collect(a, 'typing');
    await b.setTyping(roomId, true);
    await world.settle();
    expect(a.typing(roomId)).toEqual([b.userId]);
    await world.network.advance(5_000);
    await a.tick();
    expect(typing.at(-1)?.users).toEqual([b.userId]);
    await world.network.advance(1_500);
    expect(a.typing(roomId)).toEqual([]);
    await a.tick();
    expect(typing.at(-1)?.users).toEqual([]);
  });

  it('a message from the typist ends its typing; switched off, nothing is sent', async () => {
    const { world, clients, roomId } = await pair(83);
    const [a, b] = clients as [KithClient, KithClient];
    await b.setTyping(roomId, true);
    await world.settle();
    await b.send(roomId, 'done typing');
    await world.settle();
    expect(a.typing(roomId)).toEqual([]);

    await b.setSignals({ typing: false });
    const sent = countTopicMessages(world, b, a);
    for (let i = 0; i < 10; i++) await b.setTyping(roomId, true);
    await world.settle();
    expect(sent.count).toBe(0);
    expect(a.typing(roomId)).toEqual([]);
    // Shown others' typing still.
    await a.setTyping(roomId, true);
    await world.settle();
    expect(b.typing(roomId)).toEqual([a.userId]);
  });

  it('signals go to the transport as ephemeral; messages do not', async () => {
    const world = new World(84);
    const flags: (boolean | undefined)[] = [];
    const endpoint = world.network.endpoint.bind(world.network);
    world.network.endpoint = (device) => {
      const port = endpoint(device);
      const publish = port.publish.bind(port);
      port.publish = (topic: string, data: Uint8Array, options?: PublishOptions) => {
        flags.push(options?.ephemeral);
        return publish(topic, data, options);
      };
      return port;
    };
    const [a, b] = [await world.add('a'), await world.add('b')];
    const roomId: RoomId = await a.createRoom();
    await world.invite(a, roomId, [b]);
    flags.length = 0;
    await a.setTyping(roomId, true);
    await a.send(roomId, 'hi');
    expect(flags).toEqual([true, undefined]);
  });
});

describe('read and delivery receipts', () => {
  it('delivered, then read, reach the sender; a marker covers the messages before it', async () => {
    const { world, clients, roomId } = await pair(85, ['a', 'b', 'c']);
    const [a, b, c] = clients as [KithClient, KithClient, KithClient];
    const receipts = collect(a, 'receipts');
    const first = await a.send(roomId, 'one');
    const second = await a.send(roomId, 'two');
    await world.settle();
    expect(a.receipts(roomId, second)).toMatchObject({ deliveredTo: [], readBy: [] });

    await b.tick();
    await c.tick();
    await world.settle();
    expect(receipts.length).toBeGreaterThan(0);
    for (const id of [first, second]) {
      const r = a.receipts(roomId, id);
      expect(new Set(r.deliveredTo)).toEqual(new Set([b.userId, c.userId]));
      expect(r.readBy).toEqual([]);
    }

    // Marked read within the marker interval: published at the first tick after it.
    await b.markRead(roomId, second);
    await world.settle();
    expect(a.receipts(roomId, second).readBy).toEqual([]);
    expect(b.readPosition(roomId)).toEqual(second);
    await world.network.advance(2_000);
    await b.tick();
    await world.settle();
    expect(a.receipts(roomId, first).readBy).toEqual([b.userId]);
    expect(a.receipts(roomId, second).devices).toContainEqual({
      device: b.deviceId,
      user: b.userId,
      status: 'read',
    });
    // Every member computes the same receipts.
    expect(c.receipts(roomId, second).readBy).toEqual([b.userId]);
    // The sender's own devices are never listed.
    expect(b.receipts(roomId, second).deliveredTo).not.toContain(a.userId);
  });

  it('reading 20 messages as they arrive publishes the read marker at most twice', async () => {
    const { world, clients, roomId } = await pair(86);
    const [a, b] = clients as [KithClient, KithClient];
    const readWrites = collect(a, 'meta');
    let last;
    for (let i = 0; i < 20; i++) {
      last = await a.send(roomId, `m${i}`);
      await world.settle();
      await b.markRead(roomId, last);
      await world.network.advance(50);
    }
    await world.settle();
    const fromB = readWrites.filter((e) => e.device === b.deviceId && e.keys.includes('read'));
    expect(fromB.length).toBe(1);
    await world.network.advance(2_000);
    await b.tick();
    await world.settle();
    if (last === undefined) throw new Error('no message');
    expect(a.receipts(roomId, last).readBy).toEqual([b.userId]);
    expect(
      readWrites.filter((e) => e.device === b.deviceId && e.keys.includes('read')).length,
    ).toBe(2);
    // Marking an older message read does not move the position back.
    const [oldest] = a.timeline(roomId);
    if (oldest !== undefined) await b.markRead(roomId, oldest.messageId);
    expect(b.readPosition(roomId)).toEqual(last);
  });

  it('switched off, read and delivery markers stop; the position is still kept locally', async () => {
    const { world, clients, roomId } = await pair(87);
    const [a, b] = clients as [KithClient, KithClient];
    await b.setSignals({ readReceipts: false });
    expect(b.signals).toMatchObject({ readReceipts: false, deliveryReceipts: true });
    const m = await a.send(roomId, 'private');
    await world.settle();
    await b.markRead(roomId, m);
    await world.network.advance(2_000);
    await b.tick();
    await world.settle();
    expect(b.readPosition(roomId)).toEqual(m);
    expect(a.receipts(roomId, m)).toMatchObject({ deliveredTo: [b.userId], readBy: [] });

    await b.setSignals({ deliveryReceipts: false });
    const n = await a.send(roomId, 'more');
    await world.settle();
    await world.network.advance(2_000);
    await b.tick();
    await world.settle();
    expect(a.receipts(roomId, n).deliveredTo).toEqual([]);
    // The settings survive a restart.
    const reopened = await world.restart(b);
    expect(reopened.signals).toMatchObject({ readReceipts: false, deliveryReceipts: false });
    expect(reopened.readPosition(roomId)).toEqual(m);
  });

  it('a device outside the room reads no receipts; a removed one reads none after', async () => {
    const { world, clients, roomId } = await pair(88, ['a', 'b']);
    const [a, b] = clients as [KithClient, KithClient];
    const outsider = await world.add('x');
    const m = await a.send(roomId, 'members only');
    await world.settle();
    expect(() => outsider.receipts(roomId, m)).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_ROOM' }),
    );
    await a.remove(roomId, b.userId);
    await world.settle();
    expect(() => b.receipts(roomId, m)).toThrow(expect.objectContaining({ code: 'NOT_IN_ROOM' }));
  });
});

describe('presence', () => {
  it('is announced on change, refreshed rarely, and runs out when not refreshed', async () => {
    const { world, clients } = await pair(89);
    const [a, b] = clients as [KithClient, KithClient];
    const presence = collect(a, 'presence');
    // Nothing is announced until the app says the user is there.
    await b.tick();
    await world.settle();
    expect(a.presence(b.userId)).toBeUndefined();

    await b.setPresence('online');
    await world.settle();
    expect(a.presence(b.userId)).toMatchObject({ state: 'online', lastSeen: world.network.now });
    await world.network.advance(2_000);
    await b.setPresence('away');
    await world.settle();
    expect(presence.map((e) => e.state)).toEqual(['online', 'away']);

    // Ticks within the refresh interval send nothing; one after it sends one refresh.
    const sent = countTopicMessages(world, b, a);
    for (let i = 0; i < 29; i++) {
      await world.network.advance(2_000);
      await b.tick();
    }
    await world.settle();
    expect(sent.count).toBe(0);
    await world.network.advance(2_000);
    await b.tick();
    await world.settle();
    expect(sent.count).toBe(1);

    // b goes silent (the process died): after the announcement's time to live, a says offline.
    await world.network.advance(149_000);
    await a.tick();
    expect(a.presence(b.userId)?.state).toBe('away');
    await world.network.advance(2_000);
    await a.tick();
    expect(presence.at(-1)).toMatchObject({ user: b.userId, state: 'offline' });
  });

  it('closing says offline; switching presence off says offline and then nothing', async () => {
    const { world, clients } = await pair(90, ['a', 'b', 'c']);
    const [a, b, c] = clients as [KithClient, KithClient, KithClient];
    await b.setPresence('online');
    await c.setPresence('online');
    await world.settle();
    expect(a.presence(c.userId)?.state).toBe('online');
    await c.close();
    world.clients.splice(world.clients.indexOf(c), 1);
    await world.settle();
    expect(a.presence(c.userId)?.state).toBe('offline');

    await b.setSignals({ presence: false });
    await world.settle();
    expect(a.presence(b.userId)?.state).toBe('offline');
    const sent = countTopicMessages(world, b, a);
    await world.network.advance(200_000);
    await b.setPresence('online');
    await b.tick();
    await world.settle();
    expect(sent.count).toBe(0);
  });
});
