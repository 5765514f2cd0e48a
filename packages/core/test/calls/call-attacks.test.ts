import { describe, expect, it } from 'vitest';
import { encodeCallSignal } from '../../src/calls/call-signal.ts';
import type { KithClient } from '../../src/client/kith-client.ts';
import { fromHex } from '../../src/crypto/bytes.ts';
import { generateSigningKeyPair } from '../../src/crypto/ed25519.ts';
import type { DeviceId, RoomId } from '../../src/ids.ts';
import type { TransportPort } from '../../src/ports/transport.ts';
import { webRandom } from '../../src/ports/random.ts';
import { encodeSignalPayload } from '../../src/sync/payload.ts';
import { roomTopic } from '../../src/sync/topic.ts';
import { World } from '../client/world.ts';
import { FakeMedia, fakeSdp, fingerprintOf, memoryDb, takeOver } from './call-clients.ts';

/** The kind of SDP `from` sends `to` (the lower device ID offers). */
const sdpKind = (from: DeviceId, to: DeviceId): 'offer' | 'answer' =>
  from < to ? 'offer' : 'answer';

/** Captures what a device publishes on topics. */
function capturing(out: Uint8Array[]) {
  return (t: TransportPort): TransportPort => ({
    ...t,
    self: t.self,
    subscribe: (topic) => {
      t.subscribe(topic);
    },
    unsubscribe: (topic) => {
      t.unsubscribe(topic);
    },
    publish: async (topic, data, options) => {
      out.push(data);
      await t.publish(topic, data, options);
    },
    sendTo: (to, data) => t.sendTo(to, data),
    onMessage: (h) => t.onMessage(h),
    onPeer: (h) => t.onPeer(h),
    close: () => t.close(),
  });
}

async function started(client: KithClient, roomId: RoomId, group = false): Promise<Uint8Array> {
  const result = await client.calls.start(roomId, { group });
  if (!result.ok) throw new Error(result.refusal);
  return result.callId;
}

describe('calls against members who bypass their client', () => {
  it('an SDP from a device the caller did not pick is refused, from a non-member too', async () => {
    const world = new World(311);
    const a = await world.add('alice');
    const b1 = await world.add('bob laptop');
    const key = generateSigningKeyPair(webRandom);
    const b2db = memoryDb();
    const b2 = await world.add('bob phone', {
      db: b2db,
      linkedDevice: { secretKey: key.secretKey, certificate: b1.certifyDevice(key.publicKey, 'p') },
    });
    const roomId = await a.createRoom();
    await world.invite(a, roomId, [b1, b2]);
    await world.tickAll();
    const [ma, m1] = [new FakeMedia(a), new FakeMedia(b1)];
    const rejected: string[] = [];
    a.on('rejected', (e) => rejected.push(e.reason));
    const callId = await started(a, roomId);
    await world.settle();
    await b1.calls.accept(callId);
    await world.settle();
    expect(ma.last(callId)?.phase).toBe('connected');

    // Bob's phone, which was not picked, offers its own DTLS certificate to Alice.
    const forge = await takeOver(world, b2, b2db, roomId);
    const kind = sdpKind(b2.deviceId, a.deviceId);
    await forge({ kind, callId, to: a.deviceId, sdp: fakeSdp(b2.deviceId, kind) });
    await forge({
      kind: 'ice',
      callId,
      to: a.deviceId,
      candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host',
      mid: '0',
    });
    // A device outside the room sends the same signal without MLS: it does not even open.
    const rogue = world.network.endpoint('rogue' as DeviceId);
    const signal = encodeCallSignal({
      kind,
      callId,
      to: a.deviceId,
      sdp: fakeSdp(b1.deviceId, kind),
    });
    await rogue.publish(
      roomTopic(fromHex(roomId) ?? new Uint8Array()),
      encodeSignalPayload(signal),
    );
    await world.settle();
    // A later honest signal is handled: everything before it was too.
    await b1.calls.hangup(callId);
    await world.settle();
    expect(ma.last(callId)).toMatchObject({ phase: 'ended', endReason: 'hangup' });
    expect(ma.steps.filter((s) => s.peer !== b1.deviceId)).toEqual([]);
    expect(ma.remote.map((r) => r.peer)).toEqual([b1.deviceId]);
    expect(ma.remote[0]?.sdp).toContain(fingerprintOf(b1.deviceId));
    expect(rejected.length).toBeGreaterThanOrEqual(1);
    expect(m1.last(callId)?.endReason).toBe('hangup');
  });

  it("a member naming another's call ID cannot claim it, join it, restart it or end it", async () => {
    const world = new World(312);
    const a = await world.add('alice');
    const b = await world.add('bob');
    const mdb = memoryDb();
    const m = await world.add('mallory', { db: mdb });
    const roomId = await a.createRoom();
    await world.invite(a, roomId, [b, m]);
    await world.tickAll();
    const [ma, mb] = [new FakeMedia(a), new FakeMedia(b)];
    const callId = await started(a, roomId, false);
    await world.settle();
    expect(mb.rang(callId)).toBe(true);

    // While Bob's device rings, Mallory says the caller picked her.
    const forge = await takeOver(world, m, mdb, roomId);
    await forge({ kind: 'answered', callId, device: m.deviceId });
    await world.settle();
    expect(mb.last(callId)?.phase).toBe('incoming');
    await b.calls.accept(callId);
    await world.settle();
    expect(ma.last(callId)?.phase).toBe('connected');
    expect(mb.last(callId)?.phase).toBe('connected');

    // Then she tries to end it, to restart it as hers, and to slip her media in.
    await forge({ kind: 'hangup', callId, reason: 'normal', to: undefined });
    await forge({ kind: 'invite', callId, media: 'video', group: true });
    await forge({ kind: 'accept', callId });
    for (const to of [a.deviceId, b.deviceId]) {
      const kind = sdpKind(m.deviceId, to);
      await forge({ kind, callId, to, sdp: fakeSdp(m.deviceId, kind) });
    }
    await world.settle();
    expect(ma.last(callId)?.phase).toBe('connected');
    expect(mb.last(callId)?.phase).toBe('connected');
    await a.calls.hangup(callId);
    await world.settle();
    expect(mb.last(callId)).toMatchObject({ phase: 'ended', endReason: 'hangup' });
    for (const media of [ma, mb]) {
      expect(media.steps.filter((s) => s.peer === m.deviceId)).toEqual([]);
      expect(media.remote.every((r) => r.peer !== m.deviceId)).toBe(true);
    }
  });

  it('a replayed invite does not ring again: neither the same message nor a new one', async () => {
    const world = new World(313);
    const sent: Uint8Array[] = [];
    const adb = memoryDb();
    const a = await world.add('alice', { db: adb, wrap: capturing(sent) });
    const b = await world.add('bob');
    const roomId = await a.createRoom();
    await world.invite(a, roomId, [b]);
    await world.tickAll();
    const mb = new FakeMedia(b);
    sent.length = 0;
    const callId = await started(a, roomId);
    await world.settle();
    const invite = sent[0];
    if (invite === undefined) throw new Error('no invite');
    await b.calls.decline(callId);
    await world.settle();
    expect(mb.last(callId)?.endReason).toBe('declined');
    const rang = mb.views.filter((v) => v.phase === 'incoming').length;

    // The network plays the same MLS message again; then Alice's device sends the invite anew.
    const replayer = world.network.endpoint('replayer' as DeviceId);
    await replayer.publish(roomTopic(fromHex(roomId) ?? new Uint8Array()), invite);
    const forge = await takeOver(world, a, adb, roomId);
    await forge({ kind: 'invite', callId, media: 'audio', group: false });
    // A fresh call afterwards rings: what came before was handled.
    const fresh = new Uint8Array(16).fill(7);
    await forge({ kind: 'invite', callId: fresh, media: 'audio', group: false });
    await world.settle();
    expect(mb.rang(fresh)).toBe(true);
    expect(mb.views.filter((v) => v.phase === 'incoming').length).toBe(rang + 1);
    expect(mb.last(callId)?.endReason).toBe('declined');
  });
});
