import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/crypto/bytes.ts';
import { decodeHeader, encodeHeader } from '../../src/calls/sframe/header.ts';
import { deriveSframeKey, sframeNonce } from '../../src/calls/sframe/key-derivation.ts';
import { SframeReceiver, SframeSender } from '../../src/calls/sframe/sframe-context.ts';
import { aeadOpen, aeadSeal, sframeSuite, SframeSuites } from '../../src/calls/sframe/suites.ts';
import {
  AES_CTR_HMAC_VECTORS,
  HEADER_VECTORS,
  SFRAME_VECTORS,
} from './fixtures/rfc9605-vectors.ts';

const hex = (s: string): Uint8Array => fromHex(s) ?? new Uint8Array();
const big = (s: string): bigint => BigInt(`0x${s}`);

describe('SFrame header (RFC 9605 C.1)', () => {
  it('encodes and decodes every vector', () => {
    expect(HEADER_VECTORS).toHaveLength(289);
    for (const [kid, ctr, encoded] of HEADER_VECTORS) {
      expect(toHex(encodeHeader(big(kid), big(ctr)))).toBe(encoded);
      const frame = hex(`${encoded}abcdef`);
      expect(decodeHeader(frame)).toEqual({
        kid: big(kid),
        ctr: big(ctr),
        length: encoded.length / 2,
      });
    }
  });

  it('refuses a cut-short header', () => {
    expect(decodeHeader(new Uint8Array())).toBeUndefined();
    for (const [, , encoded] of HEADER_VECTORS) {
      const bytes = hex(encoded);
      if (bytes.length > 1)
        expect(decodeHeader(bytes.subarray(0, bytes.length - 1))).toBeUndefined();
    }
  });

  it('refuses non-minimal encodings, so one (KID, CTR) has one header', () => {
    expect(decodeHeader(hex('0807'))).toBeUndefined(); // CTR 7 in an extra byte
    expect(decodeHeader(hex('800700'))).toBeUndefined(); // KID 7 in an extra byte
    expect(decodeHeader(hex('090010'))).toBeUndefined(); // a leading zero byte
    expect(decodeHeader(hex('90000800'))).toBeUndefined();
    expect(decodeHeader(hex('0910'))).toBeUndefined(); // two bytes announced, one there
  });

  it('refuses values outside 64 bits', () => {
    expect(() => encodeHeader(1n << 64n, 0n)).toThrow(RangeError);
    expect(() => encodeHeader(0n, -1n)).toThrow(RangeError);
  });
});

describe('AES-CTR + HMAC AEAD (RFC 9605 C.2)', () => {
  it('seals and opens every vector', () => {
    for (const v of AES_CTR_HMAC_VECTORS) {
      const suite = sframeSuite(v.cipher_suite);
      expect(toHex(hex(v.key).subarray(0, suite.nka))).toBe(v.enc_key);
      expect(toHex(hex(v.key).subarray(suite.nka))).toBe(v.auth_key);
      const sealed = aeadSeal(suite, hex(v.key), hex(v.nonce), hex(v.aad), hex(v.pt));
      expect(toHex(sealed)).toBe(v.ct);
      expect(toHex(aeadOpen(suite, hex(v.key), hex(v.nonce), hex(v.aad), sealed) ?? hex(''))).toBe(
        v.pt,
      );
    }
  });
});

describe('SFrame encryption (RFC 9605 C.3)', () => {
  it('derives keys and encrypts every vector', () => {
    expect(SFRAME_VECTORS.map((v) => Number.parseInt(v.cipher_suite, 16))).toEqual([1, 2, 3, 4, 5]);
    for (const v of SFRAME_VECTORS) {
      const suite = sframeSuite(Number.parseInt(v.cipher_suite, 16));
      const kid = big(v.kid);
      const ctr = big(v.ctr);
      const keys = deriveSframeKey(suite, kid, hex(v.base_key));
      expect(toHex(keys.key)).toBe(v.sframe_key);
      expect(toHex(keys.salt)).toBe(v.sframe_salt);
      expect(toHex(sframeNonce(keys.salt, ctr))).toBe(v.nonce);

      const sender = new SframeSender(suite, kid, hex(v.base_key), ctr);
      const frame = sender.encrypt(hex(v.pt), hex(v.metadata));
      expect(toHex(frame)).toBe(v.ct);
      expect(sender.nextCounter).toBe(ctr + 1n);

      const receiver = new SframeReceiver(suite);
      receiver.addKey(kid, hex(v.base_key));
      const opened = receiver.decrypt(frame, hex(v.metadata));
      expect(opened).toEqual({ ok: true, kid, ctr, plaintext: hex(v.pt) });
    }
  });
});

const ALL_SUITES = Object.values(SframeSuites);

function pair(id: number, kid = 0x123n) {
  const suite = sframeSuite(id);
  const baseKey = new Uint8Array(suite.nk).fill(7);
  const sender = new SframeSender(suite, kid, baseKey);
  const receiver = new SframeReceiver(suite);
  receiver.addKey(kid, baseKey);
  return { suite, sender, receiver, baseKey };
}

describe('SFrame refuses what it must', () => {
  const plaintext = new TextEncoder().encode('a frame of media, long enough to span blocks');
  const metadata = hex('0102');

  it.each(ALL_SUITES)('suite %i: a wrong key decodes nothing', (id) => {
    const { suite, sender } = pair(id);
    const frame = sender.encrypt(plaintext, metadata);
    const other = new SframeReceiver(suite);
    other.addKey(0x123n, new Uint8Array(suite.nk).fill(8));
    expect(other.decrypt(frame, metadata)).toEqual({ ok: false, reason: 'auth' });
  });

  it.each(ALL_SUITES)('suite %i: any flipped bit decodes nothing', (id) => {
    const { sender, receiver } = pair(id);
    const frame = sender.encrypt(plaintext, metadata);
    // Every bit of header, ciphertext and tag; each try on a fresh copy of the frame.
    for (let i = 0; i < frame.length * 8; i++) {
      const bad = Uint8Array.from(frame);
      bad[i >> 3] = (bad[i >> 3] ?? 0) ^ (1 << (i & 7));
      const result = receiver.decrypt(bad, metadata);
      expect(result.ok, `bit ${i}`).toBe(false);
    }
    expect(receiver.decrypt(frame, hex('0103'))).toEqual({ ok: false, reason: 'auth' });
    expect(receiver.decrypt(frame, metadata).ok).toBe(true);
  });

  it.each(ALL_SUITES)('suite %i: a truncated frame decodes nothing', (id) => {
    const { sender, receiver } = pair(id);
    const frame = sender.encrypt(plaintext, metadata);
    for (let n = 0; n < frame.length; n++) {
      const result = receiver.decrypt(frame.subarray(0, n), metadata);
      expect(result.ok, `length ${n}`).toBe(false);
    }
    expect(receiver.decrypt(frame.subarray(0, 2), metadata)).toEqual({
      ok: false,
      reason: 'malformed',
    });
  });

  it('a replayed frame decodes once; reordering within the window is fine', () => {
    const { sender, receiver } = pair(SframeSuites.AES_128_GCM_SHA256_128);
    const frames = Array.from({ length: 5 }, () => sender.encrypt(plaintext));
    expect(receiver.decrypt(frames[3] ?? hex('')).ok).toBe(true);
    expect(receiver.decrypt(frames[1] ?? hex('')).ok).toBe(true);
    expect(receiver.decrypt(frames[3] ?? hex(''))).toEqual({ ok: false, reason: 'replay' });
    expect(receiver.decrypt(frames[1] ?? hex(''))).toEqual({ ok: false, reason: 'replay' });
    expect(receiver.decrypt(frames[0] ?? hex('')).ok).toBe(true);
  });

  it('a frame too far behind the window is refused as a replay', () => {
    const { sender, receiver } = pair(SframeSuites.AES_128_GCM_SHA256_128);
    const first = sender.encrypt(plaintext);
    let last = first;
    for (let i = 0; i < 200; i++) last = sender.encrypt(plaintext);
    expect(receiver.decrypt(last).ok).toBe(true);
    expect(receiver.decrypt(first)).toEqual({ ok: false, reason: 'replay' });
  });

  it('a forged frame does not move the replay window', () => {
    const { sender, receiver, suite } = pair(SframeSuites.AES_128_GCM_SHA256_128);
    const real = sender.encrypt(plaintext);
    const forger = new SframeSender(suite, 0x123n, new Uint8Array(16).fill(9), 1000n);
    expect(receiver.decrypt(forger.encrypt(plaintext))).toEqual({ ok: false, reason: 'auth' });
    expect(receiver.decrypt(real).ok).toBe(true);
  });

  it('an unknown KID decodes nothing', () => {
    const { suite, baseKey, receiver } = pair(SframeSuites.AES_256_GCM_SHA512_128);
    const stranger = new SframeSender(suite, 0x124n, baseKey);
    expect(receiver.decrypt(stranger.encrypt(plaintext))).toEqual({
      ok: false,
      reason: 'unknown-key',
    });
  });

  it('the counter never repeats, and stops at 2^64 - 1', () => {
    const { sender, suite, baseKey } = pair(SframeSuites.AES_128_GCM_SHA256_128);
    const seen = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const h = decodeHeader(sender.encrypt(plaintext));
      seen.add(String(h?.ctr));
    }
    expect(seen.size).toBe(300);
    const last = new SframeSender(suite, 1n, baseKey, (1n << 64n) - 1n);
    expect(decodeHeader(last.encrypt(plaintext))?.ctr).toBe((1n << 64n) - 1n);
    expect(() => last.encrypt(plaintext)).toThrow(
      expect.objectContaining({ code: 'SFRAME_COUNTER_EXHAUSTED' }),
    );
  });

  it('an unknown suite is a typed error', () => {
    expect(() => sframeSuite(6)).toThrow(expect.objectContaining({ code: 'SFRAME_UNKNOWN_SUITE' }));
  });
});
