import { afterEach, describe, expect, it } from 'vitest';
import { bytesEqual, type CallView, type KithClient, type RoomId } from '@kith/core';
import type { KithNode } from '../../src/index.ts';
import { NodeCallMedia, type ReceivedFrame } from '../../src/index.ts';
import { LoopbackDevices } from '../fixtures/loopback-devices.ts';
import { nextEvent } from '../fixtures/next-event.ts';

const medias: NodeCallMedia[] = [];

const devices = new LoopbackDevices('call');
const device = (name: string): Promise<KithNode> => devices.open(name);

afterEach(async () => {
  for (const m of medias.splice(0)) m.close();
  await devices.closeAll();
});

/** The first view of a call event that `accept` takes. */
function callState(node: KithNode, accept: (v: CallView) => boolean): Promise<CallView> {
  return new Promise((resolve) => {
    const off = node.client.on('call', (e) => {
      if (!accept(e.view)) return;
      off();
      resolve(e.view);
    });
  });
}

/** A numbered 20 ms "audio frame": what an Opus encoder would hand over, for counting. */
function frame(from: string, i: number): Uint8Array {
  const bytes = new Uint8Array(80);
  bytes.set(new TextEncoder().encode(`${from}:${i}:`));
  for (let k = 16; k < bytes.length; k++)
    bytes[k] = Math.round(127 + 100 * Math.sin((i * 80 + k) / 7));
  return bytes;
}

/**
 * Sends numbered frames every 20 ms until the other side has `count` distinct ones, and
 * checks each against what was sent under that number.
 */
async function flow(
  media: NodeCallMedia,
  other: NodeCallMedia,
  callId: Uint8Array,
  name: string,
  count: number,
): Promise<number> {
  const got = new Map<number, Uint8Array>();
  const done = new Promise<void>((resolve) => {
    const off = other.onFrame((f: ReceivedFrame) => {
      const text = new TextDecoder().decode(f.frame.subarray(0, 16));
      const [who, n] = text.split(':');
      if (who !== name) return;
      got.set(Number(n), f.frame);
      if (got.size >= count) {
        off();
        resolve();
      }
    });
  });
  let i = 0;
  const timer = setInterval(() => media.sendFrame(callId, frame(name, i++)), 20);
  await done.finally(() => {
    clearInterval(timer);
  });
  for (const [n, f] of got) expect(bytesEqual(f, frame(name, n))).toBe(true);
  return got.size;
}

describe('a 1:1 audio call between two Node devices over WebRTC on 127.0.0.1', () => {
  it('rings, connects with the signalled DTLS fingerprints, and SFrame audio flows both ways', async () => {
    const alice = await device('alice');
    const bob = await device('bob');
    await alice.addContact(bob.contactLink('Bob'));
    const joined = nextEvent(bob, 'joined');
    const roomId: RoomId = await alice.createRoom({ members: [bob.userId] });
    await joined;
    const ma = new NodeCallMedia(alice.client, { bindAddress: '127.0.0.1' });
    const mb = new NodeCallMedia(bob.client, { bindAddress: '127.0.0.1' });
    medias.push(ma, mb);

    const ringing = callState(bob, (v) => v.phase === 'incoming');
    const started = await alice.client.calls.start(roomId);
    if (!started.ok) throw new Error(started.refusal);
    const { callId } = started;
    expect(bytesEqual((await ringing).callId, callId)).toBe(true);
    const aliceUp = callState(alice, (v) => v.phase === 'connected');
    const bobUp = callState(bob, (v) => v.phase === 'connected');
    expect(await bob.client.calls.accept(callId)).toEqual({ ok: true });
    await Promise.all([aliceUp, bobUp]);
    expect(ma.connectedPeers(callId)).toEqual([bob.deviceId]);
    expect(mb.connectedPeers(callId)).toEqual([alice.deviceId]);

    const [toBob, toAlice] = await Promise.all([
      flow(ma, mb, callId, 'alice', 50),
      flow(mb, ma, callId, 'bob', 50),
    ]);
    expect([toBob, toAlice]).toEqual([50, 50]);
    expect(ma.stats).toMatchObject({ refused: 0, fingerprintMismatches: 0 });
    expect(mb.stats).toMatchObject({ refused: 0, fingerprintMismatches: 0 });
    expect(mb.stats.decoded).toBeGreaterThanOrEqual(50);

    const ended = callState(bob, (v) => v.phase === 'ended');
    await alice.client.calls.hangup(callId);
    expect((await ended).endReason).toBe('hangup');
    expect(ma.connectedPeers(callId)).toEqual([]);
  });

  it('a device whose DTLS certificate is not the one its signalled SDP names gets no media', async () => {
    const alice = await device('alice');
    const bob = await device('bob');
    await alice.addContact(bob.contactLink('Bob'));
    const joined = nextEvent(bob, 'joined');
    const roomId: RoomId = await alice.createRoom({ members: [bob.userId] });
    await joined;
    // Bob's media layer signals another certificate than the one its DTLS will present (what
    // a man in the middle would need the SDP to say).
    const forged = 'a=fingerprint:sha-256 ' + Array.from({ length: 32 }, () => 'AB').join(':');
    const lying = {
      on: bob.client.on.bind(bob.client),
      calls: new Proxy(bob.client.calls, {
        get(target, prop, receiver) {
          const value = Reflect.get(target, prop, receiver) as unknown;
          if (prop !== 'localDescription') {
            return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
          }
          return (callId: Uint8Array, peer: string, sdp: string) =>
            target.localDescription(
              callId,
              peer as never,
              sdp.replace(/^a=fingerprint:.*$/m, forged),
            );
        },
      }),
    } as unknown as KithClient;
    const ma = new NodeCallMedia(alice.client, { bindAddress: '127.0.0.1' });
    const mb = new NodeCallMedia(lying, { bindAddress: '127.0.0.1' });
    medias.push(ma, mb);
    const ringing = callState(bob, (v) => v.phase === 'incoming');
    const started = await alice.client.calls.start(roomId);
    if (!started.ok) throw new Error(started.refusal);
    await ringing;
    const aliceEnded = callState(alice, (v) => v.phase === 'ended');
    const connected: string[] = [];
    alice.client.on('call', (e) => {
      if (e.view.phase === 'connected') connected.push('alice');
    });
    await bob.client.calls.accept(started.callId);
    expect((await aliceEnded).endReason).toBe('failed');
    expect(connected).toEqual([]);
    expect(ma.connectedPeers(started.callId)).toEqual([]);
    expect(ma.stats.decoded).toBe(0);
  });
});
