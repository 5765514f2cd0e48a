import { createCipheriv, createDecipheriv } from 'node:crypto';
import { MlsSframeKeys, sframeSuite, SframeSuites } from '@kith/core';
import { measure, report, type Measurement } from './measure.ts';

/**
 * SFrame per media frame (encrypt on the sender, decrypt on a receiver) against node:crypto's
 * native AES-128-GCM over the same bytes with no SFrame around it: the price of the pure-JS
 * AEAD, the header and the key lookup. The last column of the summary is CPU per second of
 * one stream (frame cost × frames per second).
 */
export function benchSframe(quick: boolean): void {
  const suite = sframeSuite(SframeSuites.AES_128_GCM_SHA256_128);
  const baseKey = new Uint8Array(16).fill(3);
  const streams: [string, number, number][] = [
    ['audio (Opus 20 ms, 160 B)', 160, 50],
    ['video (1 Mbit/s, 30 fps, 4.2 KiB)', 4_300, 30],
    ['video key frame (30 KiB)', 30_000, 1],
  ];
  const ops = quick ? 200 : 3000;
  const rounds = quick ? 3 : 7;
  const key = new Uint8Array(16).fill(5);
  const iv = new Uint8Array(12).fill(6);
  for (const [name, size, fps] of streams) {
    const sender = new MlsSframeKeys({ suite });
    const receiver = new MlsSframeKeys({ suite });
    sender.addEpoch({ epoch: 1n, baseKey, members: [0, 1], self: 0 }, 0);
    receiver.addEpoch({ epoch: 1n, baseKey, members: [0, 1], self: 1 }, 0);
    const frame = new Uint8Array(size).fill(7);
    const sealed = sender.encrypt(frame);
    const rows: [Measurement, Measurement][] = [
      [
        measure('SFrame encrypt', ops, rounds, () => sender.encrypt(frame)),
        measure('node:crypto AES-GCM seal', ops, rounds, () => {
          const c = createCipheriv('aes-128-gcm', key, iv);
          return [c.update(frame), c.final(), c.getAuthTag()];
        }),
      ],
      [
        // Each decrypt needs a fresh counter (replays are refused): encrypt, then decrypt.
        measure('SFrame encrypt + decrypt', ops, rounds, () =>
          receiver.decrypt(sender.encrypt(frame), undefined, 0),
        ),
        measure('node:crypto seal + open', ops, rounds, () => {
          const c = createCipheriv('aes-128-gcm', key, iv);
          const ct = Buffer.concat([c.update(frame), c.final()]);
          const d = createDecipheriv('aes-128-gcm', key, iv);
          d.setAuthTag(c.getAuthTag());
          return [d.update(ct), d.final()];
        }),
      ],
    ];
    report(`SFrame: ${name}, ${sealed.length - size} bytes of overhead per frame`, rows);
    const perSecond = ((rows[1]?.[0].nsPerOp ?? 0) * fps) / 1e6;
    console.log(
      `      one ${name} stream, sender + one receiver: ${perSecond.toFixed(2)} ms CPU per second`,
    );
  }
}
