import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/crypto/bytes.ts';
import type { UpdateVerdict } from '../../src/timeline/verdict.ts';
import { FakeControlPlane, Member, must, project, textOf } from './helpers.ts';

function reason(v: UpdateVerdict): string {
  return v.verdict === 'rejected' ? v.reason : v.verdict;
}

/**
 * Mallory's device signs two histories: two documents with the same key (a device restored from
 * an old backup does the same thing by accident).
 */
function forkedRoom() {
  const cp = new FakeControlPlane();
  const alice = new Member('alice', cp);
  const bob = new Member('bob', cp);
  const carol = new Member('carol', cp);
  const m1 = new Member('mallory', cp);
  const m2 = new Member('mallory', cp);
  return { cp, alice, bob, carol, m1, m2 };
}

describe('equivocation', () => {
  it('two updates with one seq fork the author, whichever branch a member applied', () => {
    const { alice, bob, m1, m2 } = forkedRoom();
    const a = m1.text('branch A').update;
    const b = m2.text('branch B').update;
    expect(a.seq).toBe(0);
    expect(b.seq).toBe(0);
    alice.text('honest');
    bob.doc.receive(must(alice.sent[0]));
    expect(alice.doc.receive(a).verdict).toBe('accepted');
    expect(bob.doc.receive(b).verdict).toBe('accepted');
    expect(alice.doc.timeline().map(textOf)).toContain('branch A');
    expect(bob.doc.timeline().map(textOf)).toContain('branch B');
    expect(reason(alice.doc.receive(b))).toBe('equivocation');
    expect(reason(bob.doc.receive(a))).toBe('equivocation');
    for (const m of [alice, bob]) {
      expect(m.doc.timeline().map(textOf)).toEqual(['honest']);
      expect(m.doc.forkedDevices().get(m1.device)).toBe(0);
      expect(m.doc.evidence()).toHaveLength(1);
    }
    expect(project(alice.doc.timeline())).toEqual(project(bob.doc.timeline()));
    // Neither branch is applied again, nor counted twice.
    expect(alice.doc.receive(b).verdict).toBe('duplicate');
    expect(alice.doc.receive(a).verdict).toBe('duplicate');
  });

  it('evidence forwarded to a third member convinces it too', () => {
    const { alice, carol, m1, m2 } = forkedRoom();
    const a = m1.text('A').update;
    const b = m2.text('B').update;
    alice.doc.receive(a);
    alice.doc.receive(b);
    const [evidence] = alice.doc.evidence();
    expect(evidence?.kind).toBe('equivocation');
    expect(toHex(evidence?.author ?? new Uint8Array())).toBe(toHex(m1.key.publicKey));
    carol.doc.receive(must(evidence).second);
    carol.doc.receive(must(evidence).first);
    expect(carol.doc.forkedDevices().get(m1.device)).toBe(0);
    expect(carol.doc.timeline()).toEqual([]);
  });

  it('a fork after a common prefix hides the author from the fork on, the same everywhere', () => {
    const { alice, bob, carol, m1, m2 } = forkedRoom();
    const common = m1.text('common').update;
    m2.doc.receive(common); // m2 is a stale copy that saw seq 0
    const a1 = m1.text('A1').update;
    const a2 = m1.text('A2').update;
    const b1 = m2.text('B1').update;
    const b2 = m2.text('B2').update;
    expect([a1.seq, b1.seq, a2.seq, b2.seq]).toEqual([1, 1, 2, 2]);
    // Alice gets branch A then B; Bob branch B, then A2 (fork at 2), then A1 (fork at 1).
    for (const u of [common, a1, a2, b1, b2]) alice.doc.receive(u);
    const bobVerdicts = [common, b1, b2, a2, a1].map((u) => reason(bob.doc.receive(u)));
    expect(bobVerdicts).toEqual([
      'accepted',
      'accepted',
      'accepted',
      'equivocation',
      'equivocation',
    ]);
    // Any later update of the branch is not applied.
    expect(reason(bob.doc.receive(m1.text('A3').update))).toBe('author-forked');
    for (const m of [alice, bob]) {
      expect(m.doc.forkedDevices().get(m1.device)).toBe(1);
      expect(m.doc.timeline().map(textOf)).toEqual(['common']);
    }
    // Carol syncs from Alice alone and reaches the same view.
    for (const u of alice.doc.updatesSince(carol.doc.stateVector())) carol.doc.receive(u);
    expect(carol.doc.forkedDevices().get(m1.device)).toBe(1);
    expect(project(carol.doc.timeline())).toEqual(project(alice.doc.timeline()));
  });

  it('a broken link (prev naming another predecessor) is a fork too', () => {
    const { alice, bob, m1, m2 } = forkedRoom();
    const common = m1.text('common').update;
    m2.doc.receive(common);
    const a1 = m1.text('A1').update;
    m2.text('B1');
    const b2 = m2.text('B2').update;
    alice.doc.receive(common);
    alice.doc.receive(a1);
    expect(reason(alice.doc.receive(b2))).toBe('chain-mismatch');
    expect(alice.doc.forkedDevices().get(m1.device)).toBe(1);
    expect(alice.doc.evidence()[0]?.kind).toBe('broken-link');
    // The evidence alone convinces Bob.
    bob.doc.receive(common);
    for (const e of alice.doc.evidence()) {
      bob.doc.receive(e.first);
      bob.doc.receive(e.second);
    }
    expect(bob.doc.forkedDevices().get(m1.device)).toBe(1);
    expect(project(bob.doc.timeline())).toEqual(project(alice.doc.timeline()));
  });

  it('members on different branches find the fork point through sync alone', () => {
    const { alice, bob, m1, m2 } = forkedRoom();
    const common = m1.text('common').update;
    m2.doc.receive(common);
    for (const u of [common, m1.text('A1').update, m1.text('A2').update]) alice.doc.receive(u);
    for (const u of [common, m2.text('B1').update, m2.text('B2').update]) bob.doc.receive(u);
    for (const u of alice.doc.updatesSince(bob.doc.stateVector())) bob.doc.receive(u);
    for (const u of bob.doc.updatesSince(alice.doc.stateVector())) alice.doc.receive(u);
    for (const m of [alice, bob]) {
      expect(m.doc.forkedDevices().get(m1.device)).toBe(1);
      expect(m.doc.timeline().map(textOf)).toEqual(['common']);
    }
  });

  it('a forked device can no longer write', () => {
    const { m1, m2 } = forkedRoom();
    m1.text('A');
    m1.doc.receive(m2.text('B').update);
    expect(() => m1.text('more')).toThrow(expect.objectContaining({ code: 'TIMELINE_FORKED' }));
  });
});
