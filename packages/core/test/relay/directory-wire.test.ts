import { describe, expect, it } from 'vitest';
import { generateSigningKeyPair } from '../../src/crypto/ed25519.ts';
import type { UserId } from '../../src/ids.ts';
import {
  decodeInboxRequest,
  decodeInboxResponse,
  encodeInboxRequest,
  encodeInboxResponse,
  signInboxItem,
  verifyInboxItem,
} from '../../src/relay/inbox-wire.ts';
import {
  decodeKeyPackageRequest,
  decodeKeyPackageResponse,
  encodeKeyPackageRequest,
  encodeKeyPackageResponse,
} from '../../src/relay/key-package-wire.ts';
import { SeededRandom } from '../../src/testing/seeded-random.ts';

const user = `u${'a'.repeat(52)}` as UserId;

describe('key-package directory encoding', () => {
  it('round-trips and refuses a bad user ID', () => {
    const requests = [
      { type: 'upload', keyPackages: [new Uint8Array([1]), new Uint8Array([2])] },
      { type: 'count' },
      { type: 'take', userId: user },
    ] as const;
    for (const q of requests)
      expect(decodeKeyPackageRequest(encodeKeyPackageRequest(q))).toEqual(q);
    const responses = [
      { type: 'count', count: 3 },
      { type: 'packages', keyPackages: [new Uint8Array([7])] },
      { type: 'refused', message: 'no' },
    ] as const;
    for (const s of responses) {
      expect(decodeKeyPackageResponse(encodeKeyPackageResponse(s))).toEqual(s);
    }
    const bad = encodeKeyPackageRequest({ type: 'take', userId: 'bob' as UserId });
    expect(() => decodeKeyPackageRequest(bad)).toThrow(
      expect.objectContaining({
        code: 'SYNC_MALFORMED',
        message: 'key-package userId: not a user ID',
      }),
    );
  });
});

describe('inbox encoding and item signatures', () => {
  it('round-trips; an item verifies only unchanged and from its signer', () => {
    const random = new SeededRandom(3);
    const sender = generateSigningKeyPair(random);
    const to = generateSigningKeyPair(random).publicKey;
    const item = signInboxItem(sender.secretKey, sender.publicKey, to, new Uint8Array([5, 6]));
    expect(verifyInboxItem(item)).toBe(true);
    expect(verifyInboxItem({ ...item, frame: new Uint8Array([5]) })).toBe(false);
    expect(verifyInboxItem({ ...item, to: sender.publicKey })).toBe(false);
    expect(verifyInboxItem({ ...item, from: to })).toBe(false);
    const requests = [
      { type: 'deposit', item },
      { type: 'fetch' },
      { type: 'ack', ids: [1n, 2n] },
    ] as const;
    for (const q of requests) expect(decodeInboxRequest(encodeInboxRequest(q))).toEqual(q);
    const responses = [
      { type: 'ok' },
      { type: 'items', items: [{ id: 4n, item }] },
      { type: 'refused', message: 'full' },
    ] as const;
    for (const s of responses) expect(decodeInboxResponse(encodeInboxResponse(s))).toEqual(s);
    expect(() => decodeInboxRequest(Uint8Array.from([0x81, 0x02]))).toThrow(
      expect.objectContaining({ name: 'SyncError', code: 'SYNC_MALFORMED' }),
    );
  });
});
