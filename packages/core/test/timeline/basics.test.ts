import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/crypto/bytes.ts';
import { FakeControlPlane, Member, must, project, textOf } from './helpers.ts';

describe('ConversationDoc basics', () => {
  it('writes, receives and shows the same timeline on both members', () => {
    const cp = new FakeControlPlane();
    const alice = new Member('alice', cp);
    const bob = new Member('bob', cp);
    const a1 = alice.text('hello');
    const a2 = alice.text('how are you?');
    expect(bob.doc.receive(a1.update)).toEqual({ verdict: 'accepted' });
    expect(bob.doc.receive(a2.update)).toEqual({ verdict: 'accepted' });
    const b1 = bob.text('fine');
    expect(alice.doc.receive(b1.update)).toEqual({ verdict: 'accepted' });
    expect(alice.doc.timeline().map(textOf)).toEqual(['hello', 'how are you?', 'fine']);
    expect(project(bob.doc.timeline())).toEqual(project(alice.doc.timeline()));
    const m = alice.doc.timeline()[2];
    expect(m?.sender).toBe(bob.user);
    expect(m?.senderDevice).toBe(bob.device);
    expect(m?.messageId).toEqual(b1.messageId);
    expect(m?.lamport).toBe(3);
  });

  it('reports duplicates and applies out-of-order updates once their predecessors arrive', () => {
    const cp = new FakeControlPlane();
    const alice = new Member('alice', cp);
    const bob = new Member('bob', cp);
    const u = [alice.text('1'), alice.text('2'), alice.text('3')].map((m) => m.update);
    expect(bob.doc.receive(must(u[2]))).toEqual({ verdict: 'pending' });
    expect(bob.doc.receive(must(u[1]))).toEqual({ verdict: 'pending' });
    expect(bob.doc.timeline()).toEqual([]);
    expect(bob.doc.receive(must(u[0]))).toEqual({ verdict: 'accepted' });
    expect(bob.doc.timeline().map(textOf)).toEqual(['1', '2', '3']);
    expect(bob.doc.receive(must(u[1]))).toEqual({ verdict: 'duplicate' });
    expect(alice.doc.receive(must(u[0]))).toEqual({ verdict: 'duplicate' });
  });

  it('keeps chain heads and serves the updates another member lacks', () => {
    const cp = new FakeControlPlane();
    const alice = new Member('alice', cp);
    const bob = new Member('bob', cp);
    alice.text('1');
    alice.text('2');
    bob.text('x');
    const sv = alice.doc.stateVector();
    expect(sv.get(toHex(alice.key.publicKey))?.seq).toBe(1);
    const missing = alice.doc.updatesSince(bob.doc.stateVector());
    expect(missing.map((u) => u.seq)).toEqual([0, 1]);
    for (const u of missing) expect(bob.doc.receive(u).verdict).toBe('accepted');
    expect(alice.doc.updatesSince(bob.doc.stateVector())).toEqual([]);
    for (const u of bob.doc.updatesSince(alice.doc.stateVector())) alice.doc.receive(u);
    expect(project(alice.doc.timeline())).toEqual(project(bob.doc.timeline()));
  });

  it('replicates read markers', () => {
    const cp = new FakeControlPlane();
    const alice = new Member('alice', cp);
    const bob = new Member('bob', cp);
    const m1 = alice.text('1');
    const m2 = alice.text('2');
    bob.doc.receive(m1.update);
    bob.doc.receive(m2.update);
    const r1 = bob.doc.setReadMarker(m1.messageId);
    const r2 = bob.doc.setReadMarker(m2.messageId);
    expect(alice.doc.receive(r1)).toEqual({ verdict: 'accepted' });
    expect(alice.doc.receive(r2)).toEqual({ verdict: 'accepted' });
    expect(alice.doc.readMarkers().get(bob.device)).toEqual(m2.messageId);
    expect(bob.doc.readMarkers().get(bob.device)).toEqual(m2.messageId);
  });

  it('emits changes for new messages, edits, retractions and reactions', () => {
    const cp = new FakeControlPlane();
    const alice = new Member('alice', cp);
    const bob = new Member('bob', cp);
    const seen: string[] = [];
    const off = bob.doc.onChange((changes) => {
      for (const c of changes) seen.push(c.type);
    });
    const m = alice.text('hi');
    bob.doc.receive(m.update);
    bob.doc.receive(alice.edit(m, 'hi!').update);
    bob.doc.receive(alice.react(m.messageId, '👍').update);
    bob.doc.receive(alice.retract(m).update);
    off();
    bob.doc.receive(alice.text('unheard').update);
    expect(seen).toEqual(['added', 'edited', 'reactions', 'retracted', 'reactions']);
  });

  it('refuses to write when not a member', () => {
    const cp = new FakeControlPlane();
    const alice = new Member('alice', cp);
    cp.removeDevice(alice.key.publicKey, 1n);
    expect(() => alice.text('x')).toThrow(expect.objectContaining({ code: 'TIMELINE_NOT_MEMBER' }));
  });
});
