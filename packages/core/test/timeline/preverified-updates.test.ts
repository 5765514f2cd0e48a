import { afterEach, describe, expect, it } from 'vitest';
import { useEd25519 } from '../../src/crypto/ed25519.ts';
import {
  encodeSignedUpdate,
  preverifySignedUpdates,
  type SignedUpdate,
} from '../../src/timeline/signed-update.ts';
import type { UpdateVerdict } from '../../src/timeline/verdict.ts';
import { FakeControlPlane, Member } from './helpers.ts';
import { countingEd25519 } from '../crypto/counting-ed25519.ts';

function verdictOf(v: UpdateVerdict): string {
  return v.verdict === 'rejected' ? v.reason : v.verdict;
}

function flippedSignature(u: SignedUpdate): SignedUpdate {
  const signature = Uint8Array.from(u.signature);
  signature[0] = (signature[0] ?? 0) ^ 1;
  return { ...u, signature };
}

describe('updates verified as a batch ahead (an asynchronous Ed25519)', () => {
  afterEach(() => {
    useEd25519(undefined);
  });

  it('gives every update the verdict a synchronous check gives, from the batch', async () => {
    const cp = new FakeControlPlane();
    const alice = new Member('alice', cp);
    const mallory = new Member('mallory', cp);
    const bob = new Member('bob', cp);
    const honest = alice.text('hello').update;
    const forged = mallory.text('forged').update;
    const tampered = Uint8Array.from(forged.update);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1;
    const batch = [
      encodeSignedUpdate(honest),
      encodeSignedUpdate(flippedSignature(forged)),
      // Mallory's update passed off as Alice's.
      encodeSignedUpdate({ ...forged, author: alice.key.publicKey }),
      encodeSignedUpdate({ ...forged, update: tampered }),
      Uint8Array.of(0x88, 1, 2),
    ];
    const impl = countingEd25519();
    useEd25519(impl);
    await preverifySignedUpdates(batch);
    expect(impl.async).toBe(4);
    expect(batch.map((u) => verdictOf(bob.doc.receive(u)))).toEqual([
      'accepted',
      'bad-signature',
      'bad-signature',
      'bad-signature',
      'malformed',
    ]);
    // The last two forgeries carry the same signature: one verdict is kept per signature, so
    // they are verified again synchronously (a cost only a forger causes, never a verdict).
    expect(impl.sync).toBe(2);
  });

  it('does not let a verdict reached on one update pass another with its signature', async () => {
    const cp = new FakeControlPlane();
    const mallory = new Member('mallory', cp);
    const bob = new Member('bob', cp);
    const signed = mallory.text('signed').update;
    const tampered = Uint8Array.from(signed.update);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1;
    const impl = countingEd25519();
    useEd25519(impl);
    // The genuine update verified ahead, then a tampered copy under the same signature arrives.
    await preverifySignedUpdates([encodeSignedUpdate(signed)]);
    expect(verdictOf(bob.doc.receive({ ...signed, update: tampered }))).toBe('bad-signature');
    expect(impl.sync).toBe(1);
    expect(verdictOf(bob.doc.receive(signed))).toBe('accepted');
  });
});
