import { describe, expect, it } from 'vitest';
import { loadCiphersuite } from '../../src/group/suite.ts';
import type { ConversationGroup } from '../../src/group/conversation-group.ts';
import { ownLeafIndex } from '../../src/group/leaves.ts';
import { Roles } from '../../src/room/roles.ts';
import { withParticipant } from '../../src/room/room-state.ts';
import { sframeBaseKey } from '../../src/calls/sframe/mls-base-key.ts';
import { MlsSframeKeys } from '../../src/calls/sframe/mls-keys.ts';
import { sframeSuite, SframeSuites } from '../../src/calls/sframe/suites.ts';
import { decodeHeader } from '../../src/calls/sframe/header.ts';
import { addProposal, createRoom, join, newDevice } from '../group/fixtures.ts';

const suite = sframeSuite(SframeSuites.AES_128_GCM_SHA256_128);
const frame = new TextEncoder().encode('an encoded video frame');
const key = (n: number): Uint8Array => new Uint8Array(16).fill(n);

/** Keys of `self` with every leaf in `members`, at `epoch` with base key `key(fill)`. */
function keysAt(self: number, members: number[], epoch = 1n, fill = 1): MlsSframeKeys {
  const k = new MlsSframeKeys({ suite, graceMs: 1_000 });
  k.addEpoch({ epoch, baseKey: key(fill), members, self }, 0);
  return k;
}

describe('SFrame keys from the MLS key schedule (RFC 9605 §5.2)', () => {
  it('KID = leaf << E | epoch mod 2^E, as in the RFC example (E = 4)', () => {
    const k = new MlsSframeKeys({ suite, epochBits: 4 });
    expect(k.kidOf(14n, 3)).toBe(0x3en);
    expect(k.kidOf(14n, 20)).toBe(0x14en);
    expect(k.kidOf(15n, 5)).toBe(0x5fn);
    expect(k.kidOf(17n, 33)).toBe(0x211n);
    const ctx = new MlsSframeKeys({ suite, epochBits: 4, context: 2n });
    expect(ctx.kidOf(16n, 2) >> 36n).toBe(2n);
  });

  it('members decode each other; the sender is named by its KID', () => {
    const a = keysAt(0, [0, 1, 2]);
    const b = keysAt(1, [0, 1, 2]);
    const sealed = a.encrypt(frame);
    expect(decodeHeader(sealed)?.kid).toBe(1n);
    expect(b.decrypt(sealed, undefined, 0)).toEqual({
      ok: true,
      epoch: 1n,
      sender: 0,
      plaintext: frame,
    });
    expect(b.decrypt(sealed, undefined, 0)).toEqual({ ok: false, reason: 'replay' });
  });

  it('refuses a frame from a leaf outside the call, and its own frames echoed back', () => {
    const outsider = keysAt(5, [0, 1, 5]);
    const a = keysAt(0, [0, 1]);
    expect(a.decrypt(outsider.encrypt(frame), undefined, 0)).toEqual({
      ok: false,
      reason: 'not-a-member',
    });
    expect(a.decrypt(a.encrypt(frame), undefined, 0)).toEqual({
      ok: false,
      reason: 'not-a-member',
    });
  });

  it('a wrong base key decodes nothing, and leaves no key behind', () => {
    const a = keysAt(0, [0, 1], 1n, 1);
    const b = keysAt(1, [0, 1], 1n, 2);
    expect(b.decrypt(a.encrypt(frame), undefined, 0)).toEqual({ ok: false, reason: 'auth' });
  });

  it('after a rotation the old epoch decodes for the grace period only', () => {
    const a = keysAt(0, [0, 1, 2]);
    const b = keysAt(1, [0, 1, 2]);
    const old = a.encrypt(frame);
    const late = a.encrypt(frame);
    a.addEpoch({ epoch: 2n, baseKey: key(2), members: [0, 1, 2], self: 0 }, 100);
    b.addEpoch({ epoch: 2n, baseKey: key(2), members: [0, 1, 2], self: 1 }, 100);
    const fresh = a.encrypt(frame);
    expect(decodeHeader(fresh)?.kid).toBe(2n);
    expect(b.decrypt(old, undefined, 500)).toMatchObject({ ok: true, epoch: 1n });
    expect(b.decrypt(fresh, undefined, 500)).toMatchObject({ ok: true, epoch: 2n });
    expect(b.decrypt(late, undefined, 1_100)).toEqual({ ok: false, reason: 'stale-epoch' });
    expect(b.epochs).toEqual([2n]);
  });

  it('a removed member: its old-epoch frames are refused at once, new ones it cannot read', () => {
    const a = keysAt(0, [0, 1, 2]);
    const c = keysAt(2, [0, 1, 2]);
    a.addEpoch({ epoch: 2n, baseKey: key(2), members: [0, 1], self: 0 }, 10);
    // C never gets epoch 2's key; what it sends under epoch 1 no longer counts.
    expect(a.decrypt(c.encrypt(frame), undefined, 20)).toEqual({
      ok: false,
      reason: 'not-a-member',
    });
    expect(c.decrypt(a.encrypt(frame), undefined, 20)).toEqual({
      ok: false,
      reason: 'stale-epoch',
    });
  });

  it('an epoch with the same low bits replaces the old one at once (wrap-around)', () => {
    const b = keysAt(1, [0, 1], 1n);
    const a1 = keysAt(0, [0, 1], 1n);
    const old = a1.encrypt(frame);
    b.addEpoch({ epoch: 257n, baseKey: key(3), members: [0, 1], self: 1 }, 0);
    expect(b.epochs).toEqual([257n]);
    expect(b.decrypt(old, undefined, 0)).toEqual({ ok: false, reason: 'auth' });
  });

  it('refuses an older epoch, and never restarts the counter of a known one', () => {
    const a = keysAt(0, [0, 1], 5n);
    a.encrypt(frame);
    expect(a.addEpoch({ epoch: 4n, baseKey: key(9), members: [0, 1], self: 0 }, 0)).toBe(false);
    expect(a.addEpoch({ epoch: 5n, baseKey: key(1), members: [0, 1], self: 0 }, 0)).toBe(true);
    expect(decodeHeader(a.encrypt(frame))?.ctr).toBe(1n);
  });

  it('a device outside the epoch has nothing to send with', () => {
    const k = new MlsSframeKeys({ suite });
    expect(() => k.encrypt(frame)).toThrow(expect.objectContaining({ code: 'SFRAME_NO_SEND_KEY' }));
    k.addEpoch({ epoch: 1n, baseKey: key(1), members: [0, 1], self: 4 }, 0);
    expect(() => k.encrypt(frame)).toThrow(expect.objectContaining({ code: 'SFRAME_NO_SEND_KEY' }));
  });
});

describe('SFrame over a real MLS group', () => {
  async function keysOf(g: ConversationGroup, members: number[]): Promise<MlsSframeKeys> {
    const k = new MlsSframeKeys({ suite, graceMs: 1_000 });
    await addEpochOf(k, g, members, 0);
    return k;
  }
  async function addEpochOf(
    k: MlsSframeKeys,
    g: ConversationGroup,
    members: number[],
    now: number,
  ) {
    const baseKey = await sframeBaseKey(g.head, await loadCiphersuite(), suite);
    k.addEpoch({ epoch: g.head.epoch, baseKey, members, self: ownLeafIndex(g.head.state) }, now);
  }

  it('a member removed mid-call stops decoding after the rotation', async () => {
    const [a, b, c] = await Promise.all([newDevice(), newDevice(), newDevice()]);
    const A = await createRoom(a);
    let room = withParticipant(A.room, b.user.userId, Roles.member);
    room = withParticipant(room, c.user.userId, Roles.member);
    const added = await A.commit(
      [addProposal(b.kp.publicPackage), addProposal(c.kp.publicPackage)],
      room,
    );
    if (!added.ok) throw new Error(added.refusal.message);
    const [B, C] = await Promise.all([join(b, added.welcome), join(c, added.welcome)]);
    const leaves = A.members().map((m) => m.leafIndex);
    const [ka, kb, kc] = await Promise.all([
      keysOf(A, leaves),
      keysOf(B, leaves),
      keysOf(C, leaves),
    ]);
    expect(kb.decrypt(ka.encrypt(frame), undefined, 0).ok).toBe(true);
    expect(kc.decrypt(ka.encrypt(frame), undefined, 0).ok).toBe(true);

    const cLeaf = ownLeafIndex(C.head.state);
    const kick = await A.commit(
      [{ proposalType: 'remove', remove: { removed: cLeaf } }],
      withParticipant(A.room, c.user.userId, Roles.none),
    );
    if (!kick.ok) throw new Error(kick.refusal.message);
    expect((await B.receive(kick.commit)).kind).toBe('commit');
    const rest = leaves.filter((l) => l !== cLeaf);
    await addEpochOf(ka, A, rest, 10);
    await addEpochOf(kb, B, rest, 10);
    expect(kb.decrypt(ka.encrypt(frame), undefined, 20)).toMatchObject({
      ok: true,
      epoch: A.head.epoch,
    });
    expect(kc.decrypt(ka.encrypt(frame), undefined, 20).ok).toBe(false);
    expect(kb.decrypt(kc.encrypt(frame), undefined, 20)).toEqual({
      ok: false,
      reason: 'not-a-member',
    });
  });
});
