import { describe, expect, it } from 'vitest';
import { callRecordOf } from '../../src/calls/missed-call.ts';
import { CallTimings } from '../../src/calls/call-types.ts';
import type { KithClient } from '../../src/client/kith-client.ts';
import { fromHex } from '../../src/crypto/bytes.ts';
import { generateSigningKeyPair } from '../../src/crypto/ed25519.ts';
import type { DeviceId, RoomId } from '../../src/ids.ts';
import type { PublishOptions, TransportPort } from '../../src/ports/transport.ts';
import { webRandom } from '../../src/ports/random.ts';
import { roomTopic } from '../../src/sync/topic.ts';
import { messageText } from '../../src/timeline/message-text.ts';
import { World } from '../client/world.ts';
import { FakeMedia, fingerprintOf } from './call-clients.ts';

/** Records what a device publishes on topics (to see what was sent, and how). */
function recording(published: { data: Uint8Array; options: PublishOptions | undefined }[]) {
  return (t: TransportPort): TransportPort => ({
    self: t.self,
    subscribe: (topic) => {
      t.subscribe(topic);
    },
    unsubscribe: (topic) => {
      t.unsubscribe(topic);
    },
    publish: async (topic, data, options) => {
      published.push({ data, options });
      await t.publish(topic, data, options);
    },
    sendTo: (to, data) => t.sendTo(to, data),
    onMessage: (h) => t.onMessage(h),
    onPeer: (h) => t.onPeer(h),
    close: () => t.close(),
  });
}

async function secondDevice(world: World, first: KithClient, name: string): Promise<KithClient> {
  const key = generateSigningKeyPair(webRandom);
  const certificate = first.certifyDevice(key.publicKey, name);
  return world.add(name, { linkedDevice: { secretKey: key.secretKey, certificate } });
}

async function dm(seed: number): Promise<{
  world: World;
  a: KithClient;
  b1: KithClient;
  b2: KithClient;
  roomId: RoomId;
}> {
  const world = new World(seed);
  const a = await world.add('alice');
  const b1 = await world.add('bob laptop');
  const b2 = await secondDevice(world, b1, 'bob phone');
  const roomId = await a.createRoom();
  await world.invite(a, roomId, [b1, b2]);
  await world.tickAll();
  return { world, a, b1, b2, roomId };
}

describe('calls between clients, over MLS ephemeral messages', () => {
  it('rings both devices of the callee; one answers, the other stops; media connects with 8 KiB SDPs that nobody stores', async () => {
    const published: { data: Uint8Array; options: PublishOptions | undefined }[] = [];
    const world = new World(301);
    const a = await world.add('alice', { wrap: recording(published) });
    const b1 = await world.add('bob laptop');
    const b2 = await secondDevice(world, b1, 'bob phone');
    const roomId = await a.createRoom();
    await world.invite(a, roomId, [b1, b2]);
    await world.tickAll();
    const [ma, m1, m2] = [new FakeMedia(a), new FakeMedia(b1), new FakeMedia(b2)];
    for (const m of [ma, m1, m2]) m.sdpSize = 8 * 1024;
    published.length = 0;

    const started = await a.calls.start(roomId);
    if (!started.ok) throw new Error(started.refusal);
    const { callId } = started;
    await world.settle();
    expect(m1.rang(callId) && m2.rang(callId)).toBe(true);
    expect(ma.last(callId)?.peers.map((p) => p.state)).toEqual(['ringing', 'ringing']);

    expect(await b2.calls.accept(callId)).toEqual({ ok: true });
    await world.settle();
    expect(m1.last(callId)).toMatchObject({ phase: 'ended', endReason: 'answered-elsewhere' });
    expect(ma.last(callId)?.phase).toBe('connected');
    expect(m2.last(callId)?.phase).toBe('connected');
    // Each side got the SDP of the device it connected to, with that device's fingerprint.
    const aGot = ma.remote.map((r) => r.peer);
    const b2Got = m2.remote.map((r) => r.peer);
    expect([...aGot, ...b2Got].sort()).toEqual([a.deviceId, b2.deviceId].sort());
    for (const r of [...ma.remote, ...m2.remote]) {
      expect(r.sdp).toContain(fingerprintOf(r.peer));
      expect(r.sdp.length).toBeGreaterThan(8000);
    }
    expect(m1.remote).toEqual([]);

    expect(await a.calls.hangup(callId)).toEqual({ ok: true });
    await world.settle();
    expect(m2.last(callId)).toMatchObject({ phase: 'ended', endReason: 'hangup' });
    // Every call signal went out as ephemeral: nothing for relay mailboxes, nothing stored.
    expect(published.length).toBeGreaterThanOrEqual(3);
    expect(published.every((p) => p.options?.ephemeral === true)).toBe(true);
    expect(a.syncStatus(roomId).unsent).toBe(0);
    expect(b1.timeline(roomId)).toEqual([]);
  });

  it('nobody answers: the caller posts one missed-call message with a text fallback', async () => {
    const { world, a, b1, b2, roomId } = await dm(302);
    const [ma, m1, m2] = [new FakeMedia(a), new FakeMedia(b1), new FakeMedia(b2)];
    const started = await a.calls.start(roomId, { media: 'video' });
    if (!started.ok) throw new Error(started.refusal);
    await world.settle();
    expect(m1.rang(started.callId)).toBe(true);
    await world.network.advance(CallTimings.ringMs);
    await world.tickAll();
    expect(ma.last(started.callId)?.endReason).toBe('missed');
    for (const m of [m1, m2]) expect(m.last(started.callId)?.endReason).toBe('missed');
    for (const c of [a, b1, b2]) {
      const timeline = c.timeline(roomId);
      expect(timeline).toHaveLength(1);
      const entry = timeline[0];
      expect(entry?.sender).toBe(a.userId);
      expect(entry && callRecordOf(entry.content)).toMatchObject({
        media: 'video',
        outcome: 'missed',
      });
      expect(entry && messageText(entry.content)).toBe('Missed video call');
    }
  });

  it('a call signal from a removed member is ignored, though MLS still opens its epoch', async () => {
    const published: { data: Uint8Array; options: PublishOptions | undefined }[] = [];
    const world = new World(303);
    const a = await world.add('alice');
    const b = await world.add('bob');
    const m = await world.add('mallory', { wrap: recording(published) });
    const roomId = await a.createRoom();
    await world.invite(a, roomId, [b, m]);
    await world.tickAll();
    const mb = new FakeMedia(b);
    // Mallory does not hear of her removal; what she sends then is kept and played later.
    world.network.partition([[a.deviceId, b.deviceId], [m.deviceId]]);
    await a.remove(roomId, m.userId);
    await world.settle();
    published.length = 0;
    const forged = await m.calls.start(roomId);
    expect(forged.ok).toBe(true);
    await world.settle();
    world.network.heal();
    const invite = published.at(-1)?.data;
    if (invite === undefined) throw new Error('nothing published');
    const replay = world.network.endpoint('replayer' as DeviceId);
    await replay.publish(roomTopic(fromHex(roomId) ?? new Uint8Array()), invite, {
      ephemeral: true,
    });
    await world.settle();
    // A later call from a member rings: the one before it was handled and ignored.
    const honest = await a.calls.start(roomId);
    await world.settle();
    if (!honest.ok || !forged.ok) throw new Error('no call');
    expect(mb.rang(honest.callId)).toBe(true);
    expect(mb.rang(forged.callId)).toBe(false);
  });

  it('a blocked user’s call does not ring and gets no answer; unblocked, it rings', async () => {
    const world = new World(304);
    const a = await world.add('alice');
    const b = await world.add('bob');
    const roomId = await a.createRoom();
    await world.invite(a, roomId, [b]);
    await world.tickAll();
    const [ma, mb] = [new FakeMedia(a), new FakeMedia(b)];
    await b.blockUser(a.userId);
    const first = await a.calls.start(roomId);
    await world.settle();
    await b.unblockUser(a.userId);
    await world.network.advance(CallTimings.ringMs);
    await world.tickAll();
    const second = await a.calls.start(roomId);
    await world.settle();
    if (!first.ok || !second.ok) throw new Error('no call');
    expect(mb.rang(second.callId)).toBe(true);
    expect(mb.rang(first.callId)).toBe(false);
    // The caller heard nothing back: its call rang out as missed.
    expect(ma.last(first.callId)?.peers).toEqual([]);
    expect(ma.last(first.callId)?.endReason).toBe('missed');
  });
});
