import { describe, expect, it } from 'vitest';
import { decodeCbor } from '../../src/cbor/decode.ts';
import { encodeCbor } from '../../src/cbor/encode.ts';
import type { CborValue } from '../../src/cbor/value.ts';
import { textMessage } from '../../src/content/builders.ts';
import { encodeContent } from '../../src/content/codec.ts';
import { ConversationDoc } from '../../src/timeline/conversation-doc.ts';
import {
  deviceIdOf,
  FakeControlPlane,
  freshSalt,
  keyOf,
  Member,
  must,
  project,
  ROOM,
  textOf,
} from './helpers.ts';

describe('snapshot and restore', () => {
  it('reopens the same timeline, chains, read markers and fork evidence', () => {
    const cp = new FakeControlPlane();
    const alice = new Member('alice', cp);
    const bob = new Member('bob', cp);
    const m1 = new Member('mallory', cp);
    const m2 = new Member('mallory', cp);
    const hello = alice.text('hello');
    bob.doc.receive(hello.update);
    const edited = bob.text('bob');
    bob.edit(edited, 'bob edited');
    bob.react(hello.messageId, '👋');
    const marker = bob.doc.setReadMarker(hello.messageId);
    for (const u of [...bob.sent, marker]) alice.doc.receive(u);
    alice.doc.receive(m1.text('A').update);
    alice.doc.receive(m2.text('B').update);

    const options = { room: ROOM, device: alice.key, controlPlane: cp, deviceIdOf };
    const reopened = ConversationDoc.restore(options, alice.doc.snapshot());
    expect(project(reopened.timeline())).toEqual(project(alice.doc.timeline()));
    expect(reopened.stateVector()).toEqual(alice.doc.stateVector());
    expect(reopened.readMarkers()).toEqual(alice.doc.readMarkers());
    expect(reopened.forkedDevices().get(m1.device)).toBe(0);
    expect(reopened.evidence()).toHaveLength(1);
    expect(reopened.snapshot()).toEqual(alice.doc.snapshot());

    // Later updates apply, duplicates are still recognised, and the local chain continues.
    expect(reopened.receive(hello.update).verdict).toBe('duplicate');
    const later = bob.text('later');
    expect(reopened.receive(later.update).verdict).toBe('accepted');
    const mine = reopened.write(
      encodeContent(textMessage('after restore', { salt: freshSalt() })),
      9,
    );
    expect(mine.seq).toBe(1);
    expect(bob.doc.receive(must(alice.sent[0])).verdict).toBe('duplicate');
    expect(bob.doc.receive(mine).verdict).toBe('accepted');
    expect(textOf(bob.doc.timeline().at(-1))).toBe('after restore');
    expect(textOf(reopened.timeline().at(-1))).toBe('after restore');
  });

  it('reads version 2 (bodies without owners), checking each body against its entry', () => {
    const cp = new FakeControlPlane();
    const alice = new Member('alice', cp);
    const bob = new Member('bob', cp);
    for (const text of ['one', 'two']) bob.doc.receive(alice.text(text).update);
    bob.text('three');
    const options = { room: ROOM, device: bob.key, controlPlane: cp, deviceIdOf };
    // Version 3 rows are [id, body, owner]; version 2 wrote [id, body].
    const v3 = decodeCbor(bob.doc.snapshot()) as CborValue[];
    const rows = v3[6] as [Uint8Array, Uint8Array, string][];
    expect(rows.map((r) => r[2]).sort()).toEqual([alice.user, alice.user, bob.user].sort());
    const asV2 = (bodies: [Uint8Array, Uint8Array][]): Uint8Array =>
      encodeCbor([2, ...v3.slice(1, 6), bodies, ...v3.slice(7)]);
    const v2 = ConversationDoc.restore(options, asV2(rows.map(([id, body]) => [id, body])));
    expect(v2.timeline().map(textOf)).toEqual(['one', 'two', 'three']);
    // Without owners, a body under another message's ID is not taken for that message.
    const [x, y] = rows;
    if (x === undefined || y === undefined) throw new Error('two rows');
    const swapped = ConversationDoc.restore(
      options,
      asV2([
        [x[0], y[1]],
        [y[0], x[1]],
        ...rows.slice(2).map(([id, body]): [Uint8Array, Uint8Array] => [id, body]),
      ]),
    );
    // Two of the three messages swapped: only the third is shown, with its own text.
    expect(swapped.timeline().map(textOf)).toHaveLength(1);
    expect(['one', 'two', 'three']).toContain(textOf(swapped.timeline()[0]));
  });

  it('refuses a snapshot of another room or device', () => {
    const cp = new FakeControlPlane();
    const alice = new Member('alice', cp);
    alice.text('x');
    const snapshot = alice.doc.snapshot();
    const other = { room: new Uint8Array(32), device: alice.key, controlPlane: cp, deviceIdOf };
    expect(() => ConversationDoc.restore(other, snapshot)).toThrow(
      expect.objectContaining({ code: 'TIMELINE_WRONG_ROOM' }),
    );
    const bobs = { room: ROOM, device: keyOf('bob'), controlPlane: cp, deviceIdOf };
    expect(() => ConversationDoc.restore(bobs, snapshot)).toThrow(
      expect.objectContaining({ code: 'TIMELINE_WRONG_ROOM' }),
    );
    expect(() => ConversationDoc.restore(bobs, Uint8Array.of(1, 2))).toThrow(
      expect.objectContaining({ code: 'TIMELINE_MALFORMED' }),
    );
  });

  it('the restored device keeps writing where it left off', () => {
    const cp = new FakeControlPlane();
    const alice = new Member('alice', cp);
    const bob = new Member('bob', cp);
    alice.text('one');
    alice.text('two');
    for (const u of alice.sent) bob.doc.receive(u);
    const options = { room: ROOM, device: alice.key, controlPlane: cp, deviceIdOf };
    const reopened = ConversationDoc.restore(options, alice.doc.snapshot());
    const three = reopened.write(encodeContent(textMessage('three', { salt: freshSalt() })), 0);
    expect([three.seq, three.generation]).toEqual([2, 0]);
    expect(bob.doc.receive(three).verdict).toBe('accepted');
    expect(bob.doc.timeline().map(textOf)).toEqual(['one', 'two', 'three']);
    expect(project(reopened.timeline())).toEqual(project(bob.doc.timeline()));
  });
});
