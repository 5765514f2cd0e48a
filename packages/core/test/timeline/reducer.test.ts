import { describe, expect, it } from 'vitest';
import { reply, textMessage, threadMessage } from '../../src/content/builders.ts';
import { encodeContent } from '../../src/content/codec.ts';
import { textPart } from '../../src/content/parts.ts';
import { deliverAll, FakeControlPlane, freshSalt, Member, project, textOf } from './helpers.ts';

function room() {
  const cp = new FakeControlPlane();
  const alice = new Member('alice', cp);
  const bob = new Member('bob', cp);
  const mod = new Member('mod', cp);
  cp.moderators.add(mod.user);
  const members = [alice, bob, mod];
  /** Everyone receives everything sent so far. */
  const sync = (): void => {
    for (const m of members)
      deliverAll(
        members.flatMap((x) => x.sent),
        [m],
      );
  };
  /** Every member shows the same timeline; returns alice's. */
  const agreed = () => {
    const t = alice.doc.timeline();
    for (const m of members) expect(project(m.doc.timeline())).toEqual(project(t));
    return t;
  };
  return { cp, alice, bob, mod, members, sync, agreed };
}

describe('the reducer', () => {
  it('applies the author’s own edits and keeps every version', () => {
    const { alice, sync, agreed } = room();
    const m = alice.text('v1');
    alice.edit(m, 'v2');
    alice.edit(m, 'v3');
    sync();
    const [shown, ...rest] = agreed();
    expect(rest).toEqual([]);
    expect(textOf(shown)).toBe('v3');
    expect(shown?.edited).toBe(true);
    expect(shown?.edits.map((v) => textOf({ ...shown, content: v.content }))).toEqual([
      'v1',
      'v2',
      'v3',
    ]);
    expect(shown?.messageId).toEqual(m.messageId);
  });

  it('lets another device of the same user edit', () => {
    const { cp, alice, members, sync, agreed } = room();
    const laptop = new Member('alice-laptop', cp, { user: 'alice' });
    const m = alice.text('from phone');
    laptop.doc.receive(m.update);
    laptop.edit(m, 'from laptop');
    deliverAll(laptop.sent, members);
    sync();
    expect(textOf(agreed()[0])).toBe('from laptop');
  });

  it('ignores edits and retractions of someone else’s message', () => {
    const { alice, bob, sync, agreed } = room();
    const m = alice.text('mine');
    sync();
    bob.edit(m, 'hijacked');
    bob.retract(m);
    sync();
    const [shown, other] = agreed();
    expect(other).toBeUndefined();
    expect(textOf(shown)).toBe('mine');
    expect(shown?.edited).toBe(false);
    expect(shown?.retracted).toBe(false);
  });

  it('lets a moderator retract anyone’s message, and authors retract their own', () => {
    const { alice, bob, mod, sync, agreed } = room();
    const a = alice.text('spam');
    const b = bob.text('oops');
    sync();
    mod.retract(a);
    bob.retract(b);
    sync();
    agreed();
    const spam = alice.doc.message(a.messageId);
    const oops = alice.doc.message(b.messageId);
    expect([spam?.retracted, spam?.retractedBy, textOf(spam)]).toEqual([true, mod.user, null]);
    expect([oops?.retracted, oops?.retractedBy, textOf(oops)]).toEqual([true, bob.user, null]);
    expect(spam?.edits).toEqual([]);
  });

  it('concurrent retractions: the first in timeline order is the one shown, everywhere', () => {
    const { alice, mod, sync, agreed } = room();
    const m = alice.text('contested');
    sync();
    // Both retract without seeing the other's: same lamport, the device ID decides.
    mod.retract(m);
    alice.retract(m);
    sync();
    const [shown] = agreed();
    const first = [alice, mod].sort((a, b) => (a.device < b.device ? -1 : 1))[0];
    expect(shown?.retractedBy).toBe(first?.user);
  });

  it('ignores actions the control plane refuses, the same way everywhere', () => {
    const { cp, alice, bob, sync, agreed } = room();
    cp.deny(bob.user, 'editOwn');
    cp.deny(alice.user, 'react');
    const b = bob.text('b');
    sync();
    bob.edit(b, 'b edited');
    alice.react(b.messageId, '👍');
    sync();
    const [shown] = agreed();
    expect(textOf(shown)).toBe('b');
    expect(shown?.reactions.size).toBe(0);
    // Muted from epoch 2 on: what bob sent before stays.
    cp.epoch = 2n;
    cp.deny(bob.user, 'send');
    bob.text('muted');
    sync();
    expect(agreed().map(textOf)).toEqual(['b']);
  });

  it('counts reactions per user and takes them back on unreaction', () => {
    const { alice, bob, mod, sync, agreed } = room();
    const m = alice.text('party?');
    sync();
    const bobThumb = bob.react(m.messageId, '👍');
    mod.react(m.messageId, '👍');
    bob.react(m.messageId, '🎉');
    alice.react(m.messageId, '🎉');
    sync();
    const r = agreed()[0]?.reactions;
    expect([...(r?.get('👍') ?? [])].sort()).toEqual([bob.user, mod.user].sort());
    expect([...(r?.get('🎉') ?? [])].sort()).toEqual([alice.user, bob.user].sort());
    bob.unreact(bobThumb);
    sync();
    expect([...(agreed()[0]?.reactions.get('👍') ?? [])]).toEqual([mod.user]);
    // Unreacting someone else's reaction does nothing.
    alice.unreact({ messageId: bobThumb.messageId, content: bobThumb.content });
    sync();
    expect([...(agreed()[0]?.reactions.get('👍') ?? [])]).toEqual([mod.user]);
  });

  it('shows replies and threads, and reactions do not appear as messages', () => {
    const { alice, bob, sync, agreed } = room();
    const root = alice.text('root');
    sync();
    bob.send(reply(root.messageId, textPart('a reply'), { salt: freshSalt() }));
    bob.send(threadMessage(root.messageId, textPart('in thread'), { salt: freshSalt() }));
    bob.react(root.messageId, '❤️');
    sync();
    const t = agreed();
    expect(t.map(textOf)).toEqual(['root', 'a reply', 'in thread']);
    expect(t[1]?.inReplyTo).toEqual(root.messageId);
    expect(t[2]?.topicId).toEqual(root.messageId);
    expect(t[0]?.inReplyTo).toBeUndefined();
  });

  it('shows a message sent twice (same bytes, two devices of one user) once', () => {
    const { cp, alice, bob, mod, sync, agreed } = room();
    const laptop = new Member('alice-laptop', cp, { user: 'alice' });
    const bytes = encodeContent(textMessage('twice', { salt: freshSalt() }));
    alice.sent.push(alice.doc.write(bytes, 1));
    laptop.sent.push(laptop.doc.write(bytes, 2));
    deliverAll(laptop.sent, [alice, bob, mod]);
    sync();
    const t = agreed();
    expect(t.map(textOf)).toEqual(['twice']);
    expect(bob.doc.timeline()).toHaveLength(1);
  });

  it('ignores an edit ordered before the message it edits', () => {
    const { alice, bob, sync } = room();
    const m = alice.text('original');
    // Bob has not seen the message, so his lamport is lower; the edit is not his to make anyway,
    // but even alice's own edit must come after the original in the order.
    bob.edit(m, 'early edit');
    sync();
    expect(textOf(bob.doc.timeline()[0])).toBe('original');
  });
});
