import { describe, expect, it } from 'vitest';
import { textMessage } from '../../src/content/builders.ts';
import { encodeContent } from '../../src/content/codec.ts';
import { ConversationDoc } from '../../src/timeline/conversation-doc.ts';
import { deviceIdOf, FakeControlPlane, freshSalt, Member, must, project, ROOM } from './helpers.ts';

const AUTHORS = 5;
const BATCHES = 20;
const PER_BATCH = 100;

describe('10,000 messages from 5 authors', () => {
  // Budget: 14 s at a load average of 14 on 2 cores.
  it('reduce in timeline order, sync to a fresh document and survive a snapshot', () => {
    const cp = new FakeControlPlane();
    const authors = Array.from({ length: AUTHORS }, (_, i) => new Member(`author ${i}`, cp));
    const hub = new Member('hub', cp);
    // Round robin; each author hears the others only every other round, so lamports collide.
    for (let round = 0; round < BATCHES; round++) {
      for (const [i, a] of authors.entries()) {
        const contents = Array.from({ length: PER_BATCH }, (_, k) =>
          encodeContent(textMessage(`${i}/${round}/${k}`, { salt: freshSalt() })),
        );
        const u = a.doc.writeMany(contents, round);
        a.sent.push(u);
        expect(hub.doc.receive(u).verdict).toBe('accepted');
        if (round % 2 === 0) for (const b of authors) if (b !== a) b.doc.receive(u);
      }
    }
    const timeline = hub.doc.timeline();
    expect(timeline).toHaveLength(AUTHORS * BATCHES * PER_BATCH);
    for (let i = 1; i < timeline.length; i++) {
      const [p, q] = [must(timeline[i - 1]), must(timeline[i])];
      expect(
        p.lamport < q.lamport || (p.lamport === q.lamport && p.senderDevice < q.senderDevice),
      ).toBe(true);
    }
    // Everything, in an order that applies cleanly.
    const all = hub.doc.updatesSince(new Map());
    expect(all).toHaveLength(AUTHORS * BATCHES);
    const fresh = new Member('fresh', cp);
    for (const u of all) expect(fresh.doc.receive(u).verdict).toBe('accepted');
    const expected = project(timeline);
    expect(project(fresh.doc.timeline())).toEqual(expected);
    // An author catches up through sync and agrees.
    const a3 = must(authors[3]);
    for (const u of hub.doc.updatesSince(a3.doc.stateVector())) a3.doc.receive(u);
    expect(project(a3.doc.timeline())).toEqual(expected);
    // And the hub reopens from a snapshot.
    const options = { room: ROOM, device: hub.key, controlPlane: cp, deviceIdOf };
    const reopened = ConversationDoc.restore(options, hub.doc.snapshot());
    expect(project(reopened.timeline())).toEqual(expected);
  }, 60_000);
});
