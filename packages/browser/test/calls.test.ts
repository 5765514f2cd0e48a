import { afterAll, describe, expect, it } from 'vitest';
import { commands } from 'vitest/browser';
import { bytesEqual, type CallView } from '@kith/core';
import { BrowserCallMedia, KithBrowser } from '../src/index.ts';
import { message, uniqueName } from './helpers.ts';

const RELAY = 'calls';

afterAll(async () => {
  await commands.relayStop(RELAY);
});

/** A video track drawn on a canvas (no camera, no flags): a counter in changing colours. */
function canvasStream(label: string): { stream: MediaStream; stop: () => void } {
  const canvas = document.createElement('canvas');
  canvas.width = 160;
  canvas.height = 120;
  const g = canvas.getContext('2d');
  let n = 0;
  const timer = setInterval(() => {
    if (g === null) return;
    g.fillStyle = `hsl(${(n * 7) % 360} 80% 50%)`;
    g.fillRect(0, 0, 160, 120);
    g.fillStyle = 'black';
    g.fillText(`${label} ${n++}`, 10, 60);
  }, 33);
  const stream = canvas.captureStream(30);
  return {
    stream,
    stop: () => {
      clearInterval(timer);
      for (const t of stream.getTracks()) t.stop();
    },
  };
}

function callState(device: KithBrowser, accept: (v: CallView) => boolean): Promise<CallView> {
  return new Promise((resolve) => {
    const off = device.client.on('call', (e) => {
      if (!accept(e.view)) return;
      off();
      resolve(e.view);
    });
  });
}

/**
 * Resolves once the worker of `media` decoded at least `count` frames. Frames come in real time
 * from the canvas tracks and the worker reports counts only when asked, so this asks every
 * 100 ms, at most 600 times.
 */
async function decoded(media: BrowserCallMedia, count: number): Promise<number> {
  let stats = await media.stats();
  for (let i = 0; i < 600 && stats.decoded < count; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    stats = await media.stats();
  }
  if (stats.decoded < count) throw new Error(`only ${stats.decoded} of ${count} frames decoded`);
  return stats.decoded;
}

describe('a video call between two browser devices', () => {
  it('rings, connects with the signalled fingerprints, and SFrame-encrypted frames decode both ways', async () => {
    const relay = await commands.relayStart(RELAY);
    const open = (name: string) =>
      KithBrowser.open({ name, relays: [relay], dialInsecure: true, tickMs: 500 });
    const alice = await open(uniqueName('alice'));
    const bob = await open(uniqueName('bob'));
    const [ca, cb] = [canvasStream('alice'), canvasStream('bob')];
    const ma = new BrowserCallMedia(alice.client, { stream: ca.stream });
    const mb = new BrowserCallMedia(bob.client, { stream: cb.stream });
    try {
      await alice.addContact(bob.contactLink('Bob'));
      await bob.addContact(alice.contactLink('Alice'));
      const roomId = await alice.createRoom({ name: 'direct', members: [bob.userId] });
      await alice.client.send(roomId, 'call?');
      await message(bob, roomId, 'call?');

      const ringing = callState(bob, (v) => v.phase === 'incoming');
      const started = await alice.client.calls.start(roomId, { media: 'video' });
      if (!started.ok) throw new Error(started.refusal);
      expect(bytesEqual((await ringing).callId, started.callId)).toBe(true);
      const up = [
        callState(alice, (v) => v.phase === 'connected'),
        callState(bob, (v) => v.phase === 'connected'),
      ];
      await bob.client.calls.accept(started.callId);
      await Promise.all(up);
      // Frames the other side's SFrame worker decrypted (and handed to the decoder).
      expect(await decoded(mb, 30)).toBeGreaterThanOrEqual(30);
      expect(await decoded(ma, 30)).toBeGreaterThanOrEqual(30);
      // Nothing failed to decrypt; Chromium now and then hands a receiver a frame it already
      // delivered, which the replay window drops.
      for (const m of [ma, mb]) {
        expect(Object.keys((await m.stats()).reasons).filter((r) => r !== 'replay')).toEqual([]);
      }

      const ended = callState(bob, (v) => v.phase === 'ended');
      await alice.client.calls.hangup(started.callId);
      expect((await ended).endReason).toBe('hangup');
    } finally {
      ma.close();
      mb.close();
      ca.stop();
      cb.stop();
      await alice.close();
      await bob.close();
    }
  });
});
