import { describe, expect, it } from 'vitest';
import { ConversationDoc } from '../../src/timeline/conversation-doc.ts';
import { encodeSignedUpdate, withoutBodies } from '../../src/timeline/signed-update.ts';
import { deviceIdOf, FakeControlPlane, Member, ROOM, textOf } from './helpers.ts';

describe('bodies of an update that waits', () => {
  it('are kept at once: a restart before its predecessor arrives loses no message', () => {
    const cp = new FakeControlPlane();
    const alice = new Member('alice', cp);
    const bob = new Member('bob', cp);
    const first = alice.text('first').update;
    const second = alice.text('second').update;
    expect(bob.doc.receive(second).verdict).toBe('pending');
    // What Bob's device stores now: the bodies kept, and the update in its 8-field form.
    const stored = bob.doc.takeStoreChanges();
    const storedUpdate = withoutBodies(encodeSignedUpdate(second));
    // Bob restarts, then the first update arrives: the chain is whole, nobody sends more.
    const reopened = new ConversationDoc({
      room: ROOM,
      device: bob.key,
      controlPlane: cp,
      deviceIdOf,
      stored: { bodies: [...stored.stored], expired: [] },
    });
    expect(reopened.receive(storedUpdate).verdict).toBe('pending');
    expect(reopened.receive(first).verdict).toBe('accepted');
    expect(reopened.timeline().map(textOf)).toEqual(['first', 'second']);
    expect(reopened.withheldCount).toBe(0);
  });
});
