import { describe, expect, it } from 'vitest';
import { expiresAt, textMessage } from '../../src/content/builders.ts';
import { encodeContent } from '../../src/content/codec.ts';
import { contentMessageId } from '../../src/content/message-id.ts';
import { toHex } from '../../src/crypto/bytes.ts';
import type { RoomId } from '../../src/ids.ts';
import { ConversationDoc } from '../../src/timeline/conversation-doc.ts';
import { roomUri, userUri } from '../../src/timeline/uris.ts';
import type { SignedUpdate } from '../../src/timeline/signed-update.ts';
import {
  deviceIdOf,
  FakeControlPlane,
  freshSalt,
  keyOf,
  Member,
  project,
  ROOM,
} from './helpers.ts';

const utf8 = new TextEncoder();

/** Whether `needle` occurs in any of `haystacks` (plaintext left somewhere). */
function contains(haystacks: readonly Uint8Array[], text: string): boolean {
  const needle = toHex(utf8.encode(text));
  return haystacks.some((h) => toHex(h).includes(needle));
}

/** Everything a member could still hand out or store: snapshot, sync answers. */
function everything(m: Member): Uint8Array[] {
  return [m.doc.snapshot(), ...m.doc.encodedUpdatesSince(new Map())];
}

function trio() {
  const cp = new FakeControlPlane();
  const alice = new Member('alice', cp);
  const bob = new Member('bob', cp);
  const mod = new Member('mod', cp);
  cp.moderators.add(mod.user);
  return { cp, alice, bob, mod, all: [alice, bob, mod] };
}

function deliver(u: SignedUpdate, to: readonly Member[]): void {
  for (const m of to) m.doc.receive(u);
}

describe('bodies beside the signed updates', () => {
  it('travel with the update, outside the signature and the chain hash', () => {
    const { alice, bob } = trio();
    const m = alice.text('hello');
    expect(m.update.bodies).toHaveLength(1);
    // Without its body the update is still accepted; the message shows once the body comes.
    const bare: SignedUpdate = { ...m.update };
    delete (bare as { bodies?: unknown }).bodies;
    expect(bob.doc.receive(bare).verdict).toBe('accepted');
    expect(bob.doc.timeline()).toHaveLength(0);
    expect(bob.doc.receive(m.update).verdict).toBe('duplicate');
    expect(project(bob.doc.timeline())).toEqual(project(alice.doc.timeline()));
  });
});

describe('a retraction the reducer accepts purges the message everywhere', () => {
  it('own retraction: original, edits, reactions and unreactions leave every store', () => {
    const { alice, bob, mod, all } = trio();
    const m = alice.text('secret plan');
    deliver(m.update, [bob, mod]);
    deliver(alice.edit(m, 'secret plan v2').update, [bob, mod]);
    const r = bob.react(m.messageId, 'sekrit-emoji');
    deliver(r.update, [alice, mod]);
    deliver(bob.unreact(r).update, [alice, mod]);
    for (const x of all) {
      expect(contains(everything(x), 'secret plan v2')).toBe(true);
      x.doc.takeStoreChanges();
    }
    deliver(alice.retract(m).update, [bob, mod]);
    for (const x of all) {
      const shown = x.doc.message(m.messageId);
      expect([shown?.retracted, shown?.retractedBy]).toEqual([true, alice.user]);
      for (const text of ['secret plan', 'sekrit-emoji']) {
        expect(contains(everything(x), text)).toBe(false);
      }
      // The store is told to delete the original, the edit, the reaction and its retraction.
      expect(x.doc.takeStoreChanges().purged).toHaveLength(4);
    }
  });

  it('a moderator retracts anyone’s message, and that purges it too', () => {
    const { alice, bob, mod, all } = trio();
    const m = bob.text('spam spam spam');
    deliver(m.update, [alice, mod]);
    deliver(mod.retract(m).update, [alice, bob]);
    for (const x of all) {
      expect(x.doc.message(m.messageId)?.retractedBy).toBe(mod.user);
      expect(contains(everything(x), 'spam spam')).toBe(false);
    }
  });

  it('an unauthorised retraction (of someone else’s message, no capability) purges nothing', () => {
    const { alice, bob, mod, all } = trio();
    const m = alice.text('keep this');
    deliver(m.update, [bob, mod]);
    for (const x of all) x.doc.takeStoreChanges();
    // Bob is no moderator: his retraction of Alice's message is a message that does nothing.
    deliver(bob.retract(m).update, [alice, mod]);
    for (const x of all) {
      expect(x.doc.message(m.messageId)?.retracted).toBe(false);
      expect(x.doc.takeStoreChanges().purged).toEqual([]);
      expect(contains(everything(x), 'keep this')).toBe(true);
    }
  });

  it('a newcomer syncing later never receives purged content, and sees the retraction', () => {
    const { cp, alice, bob } = trio();
    const m = alice.text('gone for good');
    const kept = alice.text('still here');
    deliver(m.update, [bob]);
    deliver(kept.update, [bob]);
    deliver(alice.retract(m).update, [bob]);
    const late = new Member('late', cp);
    const answer = bob.doc.encodedUpdatesSince(late.doc.stateVector());
    expect(contains(answer, 'gone for good')).toBe(false);
    expect(contains(answer, 'still here')).toBe(true);
    for (const u of answer) expect(late.doc.receive(u).verdict).toBe('accepted');
    expect(project(late.doc.timeline())).toEqual(project(bob.doc.timeline()));
    expect(late.doc.message(m.messageId)?.retracted).toBe(true);
  });

  it('a snapshot after the purge holds no plaintext, and restores the retracted message', () => {
    const { cp, alice, bob } = trio();
    const m = alice.text('snapshot me not');
    deliver(m.update, [bob]);
    deliver(alice.retract(m).update, [bob]);
    // Bodies left out (what a device stores), the live ones come from the body table.
    const kept = alice.text('kept body');
    deliver(kept.update, [bob]);
    const stored = bob.doc.takeStoreChanges().stored;
    for (const bodies of [true, false]) {
      const snapshot = bob.doc.snapshot({ bodies });
      expect(contains([snapshot], 'snapshot me not')).toBe(false);
      expect(contains([snapshot], 'kept body')).toBe(bodies);
      const options = { room: ROOM, device: bob.key, controlPlane: cp, deviceIdOf };
      const reopened = ConversationDoc.restore(
        bodies ? options : { ...options, stored: { bodies: stored, expired: [] } },
        snapshot,
      );
      expect(project(reopened.timeline())).toEqual(project(bob.doc.timeline()));
      expect(reopened.message(m.messageId)?.retracted).toBe(true);
    }
  });

  it('a body offered again after the purge (a peer that had not purged) is not kept', () => {
    const { alice, bob, mod } = trio();
    const m = alice.text('resurrect me');
    deliver(m.update, [bob, mod]);
    deliver(alice.retract(m).update, [bob]);
    bob.doc.takeStoreChanges();
    // Mod has not seen the retraction and syncs Bob with everything, bodies included.
    for (const u of mod.doc.encodedUpdatesSince(new Map())) bob.doc.receive(u);
    expect(contains(everything(bob), 'resurrect me')).toBe(false);
    expect(bob.doc.takeStoreChanges().stored).toEqual([]);
  });
});

describe('disappearing messages (MIMI expires)', () => {
  /** A member whose document judges expiry by `clock.now`. */
  function timed(name: string, cp: FakeControlPlane, clock: { now: number }): Member {
    const m = new Member(name, cp);
    const doc = new ConversationDoc({
      room: ROOM,
      device: keyOf(name),
      controlPlane: cp,
      deviceIdOf,
      now: () => clock.now,
    });
    return Object.assign(m, { doc });
  }

  function expiring(m: Member, text: string, atSeconds: number) {
    const bytes = encodeContent(
      textMessage(text, { salt: freshSalt(), expires: expiresAt(atSeconds) }),
    );
    const update = m.doc.write(bytes, m.clock++);
    const messageId = contentMessageId(bytes, userUri(m.user), roomUri(toHex(ROOM) as RoomId));
    return { update, messageId };
  }

  it('expire at the tick on every member, with what refers to them', () => {
    const cp = new FakeControlPlane();
    const clock = { now: 1_000_000 };
    const alice = timed('alice', cp, clock);
    const bob = timed('bob', cp, clock);
    const m = expiring(alice, 'self destruct', 1_060);
    const keep = alice.text('permanent');
    deliver(m.update, [bob]);
    deliver(keep.update, [bob]);
    const r = bob.react(m.messageId, 'boom-reaction');
    deliver(r.update, [alice]);
    for (const x of [alice, bob]) {
      expect(x.doc.timeline()).toHaveLength(2);
      expect(x.doc.expire(1_059_999)).toBe(0);
      x.doc.takeStoreChanges();
    }
    clock.now = 1_060_000;
    for (const x of [alice, bob]) {
      const seen: string[] = [];
      x.doc.onChange((changes) => seen.push(...changes.map((c) => c.type)));
      expect(x.doc.expire(clock.now)).toBe(1);
      expect(seen).toEqual(['removed']);
      expect(x.doc.timeline().map((t) => t.messageId)).toEqual([keep.messageId]);
      const changes = x.doc.takeStoreChanges();
      expect(changes.purged).toHaveLength(2);
      expect(changes.expired).toHaveLength(1);
      expect(contains(everything(x), 'self destruct')).toBe(false);
      expect(contains(everything(x), 'boom-reaction')).toBe(false);
    }
    // A reaction that arrives after the expiry is dropped on arrival.
    const late = alice.react(m.messageId, 'late-reaction');
    deliver(late.update, [bob]);
    expect(contains(everything(bob), 'late-reaction')).toBe(false);
  });

  it('a message that arrives after its expiry is never shown nor kept', () => {
    const cp = new FakeControlPlane();
    const clock = { now: 5_000_000 };
    const alice = timed('alice', cp, clock);
    const bob = timed('bob', cp, clock);
    const m = expiring(alice, 'too late', 5_001);
    clock.now = 5_001_000;
    const seen: string[] = [];
    bob.doc.onChange((changes) => seen.push(...changes.map((c) => c.type)));
    expect(bob.doc.receive(m.update).verdict).toBe('accepted');
    expect(seen).toEqual([]);
    expect(bob.doc.timeline()).toHaveLength(0);
    expect(contains(everything(bob), 'too late')).toBe(false);
    expect(bob.doc.takeStoreChanges().stored).toEqual([]);
  });

  it('stays gone after a restore (the snapshot holds no body of it)', () => {
    const cp = new FakeControlPlane();
    const clock = { now: 9_000_000 };
    const alice = timed('alice', cp, clock);
    const m = expiring(alice, 'ephemeral words', 9_010);
    alice.doc.expire(9_010_000);
    const snapshot = alice.doc.snapshot();
    expect(contains([snapshot], 'ephemeral words')).toBe(false);
    const options = { room: ROOM, device: alice.key, controlPlane: cp, deviceIdOf };
    const reopened = ConversationDoc.restore(options, snapshot);
    expect(reopened.message(m.messageId)).toBeUndefined();
    expect(reopened.timeline()).toHaveLength(0);
  });
});
