import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { toHex } from '../../src/crypto/bytes.ts';
import { ConversationDoc } from '../../src/timeline/conversation-doc.ts';
import { TimelineLimits } from '../../src/timeline/limits.ts';
import type { UpdateVerdict } from '../../src/timeline/verdict.ts';
import {
  deviceIdOf,
  FakeControlPlane,
  Forger,
  keyOf,
  Member,
  must,
  project,
  ROOM,
  textOf,
} from './helpers.ts';

function reason(v: UpdateVerdict): string {
  return v.verdict === 'rejected' ? v.reason : v.verdict;
}

function room() {
  const cp = new FakeControlPlane();
  const alice = new Member('alice', cp);
  const forger = new Forger(keyOf('mallory'));
  cp.addDevice(forger.key.publicKey, 'umallory' as never);
  return { cp, alice, forger };
}

/** A Y.Doc holding the forger's accepted state only, writing under its current generation. */
function append(forger: Forger, doc: Y.Doc, entry: [Uint8Array]): Uint8Array {
  doc.clientID = forger.clientId;
  return Forger.capture(doc, () => {
    const log = doc.getArray(`log:${forger.device}`);
    log.insert(log.length, [entry]);
  });
}

describe('chain and generation rules', () => {
  it('a refused update stays in the chain; the author goes on in the next generation', () => {
    const { alice, forger } = room();
    const accepted = new Y.Doc();
    const bad = new Y.Doc();
    Y.applyUpdate(bad, Y.encodeStateAsUpdate(accepted));
    // seq 0: an entry with a lying seq, refused.
    expect(reason(alice.doc.receive(forger.sign(append(forger, bad, forger.entry(7, 1)))))).toBe(
      'envelope-seq-mismatch',
    );
    // seq 1, same generation, written on top of the refused one: its clocks do not follow.
    const sameGeneration = forger.sign(append(forger, bad, forger.entry(1, 2)));
    expect(reason(alice.doc.receive(sameGeneration))).toBe('clock-gap');
    // seq 2: the next generation, built on what was accepted (nothing).
    forger.generation = 1;
    const ok = forger.sign(append(forger, accepted, forger.entry(2, 3, 'recovered')));
    expect(alice.doc.receive(ok)).toEqual({ verdict: 'accepted' });
    expect(alice.doc.timeline().map(textOf)).toEqual(['recovered']);
    // Refused updates are forwarded too, so every member reaches the same verdicts.
    expect(alice.doc.updatesSince(new Map()).map((u) => u.seq)).toEqual([0, 1, 2]);
  });

  it('generations may only stay or move up by one, and seq 0 starts at generation 0', () => {
    const { alice, forger } = room();
    forger.generation = 1;
    const doc = new Y.Doc();
    expect(reason(alice.doc.receive(forger.sign(append(forger, doc, forger.entry(0, 1)))))).toBe(
      'bad-generation',
    );
    forger.generation = 3;
    expect(
      reason(alice.doc.receive(forger.sign(append(forger, new Y.Doc(), forger.entry(1, 2))))),
    ).toBe('bad-generation');
  });

  it('seq 0 must have a zero prev', () => {
    const { alice, forger } = room();
    forger.prev = new Uint8Array(32).fill(9);
    const u = forger.sign(append(forger, new Y.Doc(), forger.entry(0, 1)));
    expect(reason(alice.doc.receive(u))).toBe('bad-prev');
    expect(alice.doc.stateVector().has(toHex(forger.key.publicKey))).toBe(false);
  });

  it('lamports go strictly up per author', () => {
    const { alice, forger } = room();
    const doc = new Y.Doc();
    expect(alice.doc.receive(forger.sign(append(forger, doc, forger.entry(0, 5))))).toEqual({
      verdict: 'accepted',
    });
    expect(reason(alice.doc.receive(forger.sign(append(forger, doc, forger.entry(1, 5)))))).toBe(
      'lamport-regressed',
    );
  });

  it('log entries only go at the end of the author’s own log', () => {
    const { alice, forger } = room();
    const doc = new Y.Doc();
    alice.doc.receive(forger.sign(append(forger, doc, forger.entry(0, 1))));
    doc.clientID = forger.clientId;
    const front = Forger.capture(doc, () => {
      doc.getArray(`log:${forger.device}`).insert(0, [forger.entry(1, 2)]);
    });
    expect(reason(alice.doc.receive(forger.sign(front)))).toBe('log-not-append');
  });

  it('Skip structs (a gap in the author’s own clocks) are refused', () => {
    const { alice, forger } = room();
    const doc = new Y.Doc();
    const u1 = append(forger, doc, forger.entry(0, 1));
    append(forger, doc, forger.entry(0, 2));
    const u3 = append(forger, doc, forger.entry(0, 3));
    const merged = Y.mergeUpdates([u1, u3]);
    expect(Y.decodeUpdate(merged).structs.some((s) => s instanceof Y.Skip)).toBe(true);
    expect(reason(alice.doc.receive(forger.sign(merged)))).toBe('unsupported-struct');
  });

  // Budget: 4.5 s at a load average of 14 on 2 cores.
  it('buffers a bounded number of updates ahead of a gap', () => {
    const { alice, forger } = room();
    forger.seq = 1; // seq 0 never arrives
    for (let i = 0; i < TimelineLimits.maxPendingPerAuthor; i++) {
      expect(alice.doc.receive(forger.sign(Uint8Array.of(0, 0)))).toEqual({ verdict: 'pending' });
    }
    expect(alice.doc.pendingCount).toBe(TimelineLimits.maxPendingPerAuthor);
    expect(reason(alice.doc.receive(forger.sign(Uint8Array.of(0, 0))))).toBe('pending-overflow');
  }, 30_000);

  it('a stranger’s update leaves no trace', () => {
    const { alice } = room();
    const stranger = new Forger(keyOf('stranger'));
    const u = stranger.sign(append(stranger, new Y.Doc(), stranger.entry(0, 1)));
    const before = alice.doc.snapshot();
    expect(reason(alice.doc.receive(u))).toBe('not-member');
    expect(alice.doc.snapshot()).toEqual(before);
  });
});

describe('epochs the control plane has not reached', () => {
  it('wait as pending and are judged once it has', () => {
    const aliceView = new FakeControlPlane();
    const bobView = new FakeControlPlane();
    const alice = new Member('alice', aliceView);
    const bob = new Member('bob', bobView);
    for (const view of [aliceView, bobView]) {
      view.addDevice(alice.key.publicKey, alice.user);
      view.addDevice(bob.key.publicKey, bob.user);
    }
    aliceView.epoch = 5n;
    bobView.knownUpTo = 4n;
    const m1 = alice.text('from epoch 5');
    const m2 = alice.text('also 5');
    expect(bob.doc.receive(m1.update)).toEqual({ verdict: 'pending' });
    expect(bob.doc.receive(m2.update)).toEqual({ verdict: 'pending' });
    expect(bob.doc.pendingCount).toBe(2);
    bob.doc.retryPending();
    expect(bob.doc.timeline()).toEqual([]);
    bobView.knownUpTo = 5n;
    bob.doc.retryPending();
    expect(bob.doc.pendingCount).toBe(0);
    expect(bob.doc.timeline().map(textOf)).toEqual(['from epoch 5', 'also 5']);
  });
});

describe('reactionOf', () => {
  it('finds the user’s live reaction to take back', () => {
    const cp = new FakeControlPlane();
    const alice = new Member('alice', cp);
    const bob = new Member('bob', cp);
    const m = alice.text('hi');
    bob.doc.receive(m.update);
    const r = bob.react(m.messageId, '👍');
    expect(bob.doc.reactionOf(m.messageId, '👍', bob.user)?.messageId).toEqual(r.messageId);
    expect(bob.doc.reactionOf(m.messageId, '🎉', bob.user)).toBeUndefined();
    expect(bob.doc.reactionOf(m.messageId, '👍', alice.user)).toBeUndefined();
    bob.unreact(must(bob.doc.reactionOf(m.messageId, '👍', bob.user)));
    expect(bob.doc.reactionOf(m.messageId, '👍', bob.user)).toBeUndefined();
    expect(bob.doc.message(m.messageId)?.reactions.size).toBe(0);
  });
});

describe('mutated updates', () => {
  // Budget: 150 mutations, each on two members; 7 s at a load average of 14 on 2 cores.
  it('get the same verdict and view on every member, and never throw', () => {
    const cp = new FakeControlPlane();
    const alice = new Member('alice', cp);
    const bob = new Member('bob', cp);
    const m = alice.text('base');
    for (const x of [alice, bob]) x.doc.receive(m.update);
    // The forger's own valid history, then mutations of a valid next update.
    let n = 0;
    const seen = new Set<string>();
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        (mutations) => {
          const forger = new Forger(keyOf(`mutant ${n++}`));
          cp.addDevice(forger.key.publicKey, 'umutant' as never);
          const doc = new Y.Doc();
          doc.clientID = forger.clientId;
          const update = Uint8Array.from(
            Forger.capture(doc, () => {
              doc.getArray(`log:${forger.device}`).insert(0, [forger.entry(0, 7, 'mutant')]);
              doc.getMap(`meta:${forger.device}`).set('read', m.messageId);
            }),
          );
          for (const [at, value] of mutations) update[at % update.length] = value;
          const signed = forger.sign(update);
          const verdicts = [alice, bob].map((x) => reason(x.doc.receive(signed)));
          seen.add(must(verdicts[0]));
          expect(verdicts[1]).toBe(verdicts[0]);
          expect(project(bob.doc.timeline())).toEqual(project(alice.doc.timeline()));
          expect([...bob.doc.readMarkers()]).toEqual([...alice.doc.readMarkers()]);
        },
      ),
      { numRuns: 150 },
    );
    // The mutations reach the Yjs and content checks, not only the decoder.
    expect(seen.size).toBeGreaterThan(3);
  }, 40_000);
});

describe('restore', () => {
  it('a restored document judges later updates like the original', () => {
    const { cp, alice, forger } = room();
    const doc = new Y.Doc();
    alice.doc.receive(forger.sign(append(forger, doc, forger.entry(0, 1))));
    const restored = ConversationDoc.restore(
      { room: ROOM, device: alice.key, controlPlane: cp, deviceIdOf },
      alice.doc.snapshot(),
    );
    const next = forger.sign(append(forger, doc, forger.entry(1, 2)));
    const lie = forger.sign(append(forger, doc, forger.entry(9, 3)));
    expect([next, lie].map((u) => reason(restored.receive(u)))).toEqual([
      'accepted',
      'envelope-seq-mismatch',
    ]);
    expect([next, lie].map((u) => reason(alice.doc.receive(u)))).toEqual([
      'accepted',
      'envelope-seq-mismatch',
    ]);
  });
});
