import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MessageId } from '../../src/content/message-id.ts';
import type { MimiContent } from '../../src/content/model.ts';
import type { SignedUpdate } from '../../src/timeline/signed-update.ts';
import { FakeControlPlane, Member, must, project } from './helpers.ts';

type Kind = 'text' | 'edit' | 'retract' | 'react' | 'unreact' | 'read';

interface Action {
  readonly actor: number;
  readonly kind: Kind;
  readonly pick: number;
  /** Bitmask of members whose updates the actor has received before acting. */
  readonly heard: number;
}

const actionArb: fc.Arbitrary<Action> = fc.record({
  actor: fc.integer({ min: 0, max: 2 }),
  kind: fc.constantFrom<Kind>('text', 'text', 'edit', 'retract', 'react', 'unreact', 'read'),
  pick: fc.nat(),
  heard: fc.integer({ min: 0, max: 7 }),
});

/** Runs a script of actions by three members (one a moderator); returns every update sent. */
function play(actions: readonly Action[]) {
  const cp = new FakeControlPlane();
  const members = ['alice', 'bob', 'mod'].map((n) => new Member(n, cp));
  cp.moderators.add(must(members[2]).user);
  const reactions: { messageId: MessageId; content: MimiContent }[][] = [[], [], []];
  for (const a of actions) {
    const me = must(members[a.actor]);
    members.forEach((other, i) => {
      if ((a.heard >> i) & 1) for (const u of other.sent) me.doc.receive(u);
    });
    const timeline = me.doc.timeline();
    const target = timeline[a.pick % Math.max(1, timeline.length)];
    if (a.kind === 'text' || target === undefined) {
      me.text(`m${a.pick % 100}`);
    } else if (a.kind === 'edit') {
      me.edit(target, `e${a.pick % 100}`);
    } else if (a.kind === 'retract') {
      me.retract(target);
    } else if (a.kind === 'react') {
      must(reactions[a.actor]).push(me.react(target.messageId, a.pick % 2 === 0 ? '👍' : '🎉'));
    } else if (a.kind === 'unreact') {
      const mine = must(reactions[a.actor]);
      const r = mine[a.pick % Math.max(1, mine.length)];
      if (r === undefined) me.text('no reaction to take back');
      else me.unreact(r);
    } else {
      me.sent.push(me.doc.setReadMarker(target.messageId));
    }
  }
  return { cp, members, updates: members.flatMap((m) => m.sent) };
}

/** A deterministic shuffle with duplicates, from a seed. */
function deliveryOrder(
  updates: readonly SignedUpdate[],
  seed: number,
  dups: number,
): SignedUpdate[] {
  let s = seed >>> 0;
  const next = (): number => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s;
  };
  const out = [...updates];
  for (let i = 0; i < dups && updates.length > 0; i++)
    out.push(must(updates[next() % updates.length]));
  for (let i = out.length - 1; i > 0; i--) {
    const j = next() % (i + 1);
    [out[i], out[j]] = [must(out[j]), must(out[i])];
  }
  return out;
}

describe('convergence', () => {
  // Budget: 40 scripts, each delivered in 5 or 6 orders; 16 s at a load average of 14, 2 cores.
  it('every member and observer ends with the same timeline, whatever the delivery order', () => {
    fc.assert(
      fc.property(
        fc.array(actionArb, { minLength: 1, maxLength: 12 }),
        fc.array(fc.tuple(fc.nat(), fc.nat({ max: 6 })), { minLength: 2, maxLength: 3 }),
        (actions, orders) => {
          const { cp, members, updates } = play(actions);
          const observers = orders.map((_, i) => new Member(`observer ${i}`, cp));
          const everyone = [...members, ...observers];
          everyone.forEach((m, i) => {
            const [seed, dups] = must(orders[i % orders.length]);
            for (const u of deliveryOrder(updates, seed + i, dups)) {
              const v = m.doc.receive(u);
              expect(v.verdict).not.toBe('rejected');
            }
          });
          const expected = project(must(observers[0]).doc.timeline());
          const markers = [...must(observers[0]).doc.readMarkers()].sort();
          for (const m of everyone) {
            expect(project(m.doc.timeline())).toEqual(expected);
            expect([...m.doc.readMarkers()].sort()).toEqual(markers);
          }
        },
      ),
      { numRuns: 40 },
    );
  }, 60_000);

  // Budget: 5 s at a load average of 14 on 2 cores.
  it('updatesSince an empty state vector applies cleanly on a fresh document', () => {
    fc.assert(
      fc.property(fc.array(actionArb, { minLength: 1, maxLength: 12 }), (actions) => {
        const { cp, members, updates } = play(actions);
        const hub = new Member('hub', cp);
        for (const u of updates) hub.doc.receive(u);
        const all = hub.doc.updatesSince(new Map());
        expect(all).toHaveLength(updates.length);
        const fresh = new Member('fresh', cp);
        for (const u of all) expect(fresh.doc.receive(u)).toEqual({ verdict: 'accepted' });
        expect(project(fresh.doc.timeline())).toEqual(project(hub.doc.timeline()));
        // Sync in both directions brings the writers to the same view too.
        for (const m of members) {
          for (const u of hub.doc.updatesSince(m.doc.stateVector())) m.doc.receive(u);
          expect(project(m.doc.timeline())).toEqual(project(hub.doc.timeline()));
        }
      }),
      { numRuns: 25 },
    );
  }, 30_000);
});
