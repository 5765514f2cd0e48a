import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { MessageId } from '../../src/content/message-id.ts';
import { toHex } from '../../src/crypto/bytes.ts';
import { yjsClientId } from '../../src/timeline/client-id.ts';
import { encodeEnvelope } from '../../src/timeline/envelope.ts';
import { encodeSignedUpdate, type SignedUpdate } from '../../src/timeline/signed-update.ts';
import type { UpdateVerdict } from '../../src/timeline/verdict.ts';
import { FakeControlPlane, Forger, keyOf, Member, project, ROOM } from './helpers.ts';

/** Two honest members with some history, a malicious member (a real member of the group). */
function setup() {
  const cp = new FakeControlPlane();
  const alice = new Member('alice', cp);
  const bob = new Member('bob', cp);
  const mallory = new Forger(keyOf('mallory'));
  cp.addDevice(mallory.key.publicKey, 'umallory' as never);
  const a1 = alice.text('alice 1');
  const marker = alice.doc.setReadMarker(a1.messageId);
  const b1 = bob.text('bob 1');
  for (const u of [a1.update, marker]) bob.doc.receive(u);
  alice.doc.receive(b1.update);
  const honest = [alice, bob];
  const history = [a1.update, marker, b1.update];
  const before = honest.map((m) => ({
    timeline: project(m.doc.timeline()),
    markers: [...m.doc.readMarkers()].map(([d, id]) => [d, toHex(id)]),
  }));
  /** Delivers `u` to every honest member and checks nothing visible changed. */
  const attack = (u: SignedUpdate | Uint8Array): UpdateVerdict[] => {
    const verdicts = honest.map((m) => m.doc.receive(u));
    honest.forEach((m, i) => {
      expect({
        timeline: project(m.doc.timeline()),
        markers: [...m.doc.readMarkers()].map(([d, id]) => [d, toHex(id)]),
      }).toEqual(before[i]);
    });
    expect(verdicts[1]).toEqual(verdicts[0]);
    return verdicts;
  };
  /** Honest members still work: they exchange a new message each way. */
  const stillWorks = (): void => {
    const a = alice.text('after');
    const b = bob.text('after too');
    expect(bob.doc.receive(a.update).verdict).toBe('accepted');
    expect(alice.doc.receive(b.update).verdict).toBe('accepted');
    expect(project(alice.doc.timeline())).toEqual(project(bob.doc.timeline()));
  };
  return { cp, alice, bob, mallory, a1, marker, b1, history, attack, stillWorks };
}

function reason(v: UpdateVerdict | undefined): string {
  return v?.verdict === 'rejected' ? v.reason : (v?.verdict ?? 'none');
}

describe('a malicious member', () => {
  it('cannot write under another device’s client ID', () => {
    const { alice, mallory, attack, stillWorks } = setup();
    const doc = mallory.mirror();
    doc.clientID = yjsClientId(alice.key.publicKey, ROOM, 0);
    const update = Forger.capture(doc, () => {
      doc.getArray(`log:${mallory.device}`).insert(0, [mallory.entry(0, 10)]);
    });
    expect(attack(mallory.sign(update)).map(reason)).toEqual(['foreign-client', 'foreign-client']);
    stillWorks();
  });

  it('cannot write into another device’s log root', () => {
    const { alice, mallory, attack, stillWorks } = setup();
    const doc = mallory.mirror();
    const update = Forger.capture(doc, () => {
      doc.getArray(`log:${alice.device}`).insert(0, [mallory.entry(0, 10)]);
    });
    expect(attack(mallory.sign(update)).map(reason)).toEqual(['foreign-root', 'foreign-root']);
    stillWorks();
  });

  it('cannot append after another device’s entries (origin in a foreign client)', () => {
    const { alice, a1, mallory, attack, stillWorks } = setup();
    const doc = mallory.mirror(a1.update);
    const update = Forger.capture(doc, () => {
      const log = doc.getArray(`log:${alice.device}`);
      log.insert(log.length, [mallory.entry(0, 10)]);
    });
    expect(attack(mallory.sign(update)).map(reason)).toEqual([
      'foreign-reference',
      'foreign-reference',
    ]);
    stillWorks();
  });

  it('cannot delete another device’s item', () => {
    const { alice, a1, mallory, attack, stillWorks } = setup();
    const doc = mallory.mirror(a1.update);
    const update = Forger.capture(doc, () => {
      doc.getArray(`log:${alice.device}`).delete(0, 1);
    });
    expect(Y.decodeUpdate(update).ds.clients.size).toBe(1);
    expect(attack(mallory.sign(update)).map(reason)).toEqual(['foreign-delete', 'foreign-delete']);
    stillWorks();
  });

  it('cannot delete another device’s item under the victim’s client ID either', () => {
    const { alice, a1, mallory, attack } = setup();
    const doc = mallory.mirror(a1.update);
    doc.clientID = yjsClientId(alice.key.publicKey, ROOM, 0);
    const update = Forger.capture(doc, () => {
      doc.getArray(`log:${alice.device}`).delete(0, 1);
    });
    expect(attack(mallory.sign(update)).map(reason)).toEqual(['foreign-delete', 'foreign-delete']);
  });

  it('cannot overwrite another device’s map key (read marker)', () => {
    const { alice, a1, marker, b1, mallory, attack, stillWorks } = setup();
    const doc = mallory.mirror(a1.update, marker);
    const update = Forger.capture(doc, () => {
      doc.getMap(`meta:${alice.device}`).set('read', b1.messageId);
    });
    expect(attack(mallory.sign(update)).map(reason)).toEqual([
      'foreign-reference',
      'foreign-reference',
    ]);
    stillWorks();
  });

  it('cannot delete its own log entries (retractions are messages, not deletes)', () => {
    const { alice, bob, mallory } = setup();
    const doc = mallory.mirror();
    const first = mallory.sign(
      Forger.capture(doc, () => {
        doc.getArray(`log:${mallory.device}`).insert(0, [mallory.entry(0, 10, 'kept')]);
      }),
    );
    for (const m of [alice, bob]) expect(m.doc.receive(first).verdict).toBe('accepted');
    const shown = project(alice.doc.timeline());
    const second = mallory.sign(
      Forger.capture(doc, () => {
        doc.getArray(`log:${mallory.device}`).delete(0, 1);
      }),
    );
    for (const m of [alice, bob]) expect(reason(m.doc.receive(second))).toBe('log-delete');
    expect(project(alice.doc.timeline())).toEqual(shown);
    expect(project(bob.doc.timeline())).toEqual(shown);
  });

  it('cannot forge a signature, or pass its update off as another author’s', () => {
    const { alice, mallory, attack, stillWorks } = setup();
    const doc = mallory.mirror();
    const update = Forger.capture(doc, () => {
      doc.getArray(`log:${mallory.device}`).insert(0, [mallory.entry(0, 10)]);
    });
    const signed = mallory.sign(update);
    const flipped = Uint8Array.from(signed.signature);
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(attack({ ...signed, signature: flipped }).map(reason)).toEqual([
      'bad-signature',
      'bad-signature',
    ]);
    expect(attack({ ...signed, author: alice.key.publicKey }).map(reason)).toEqual([
      'bad-signature',
      'bad-signature',
    ]);
    stillWorks();
  });

  it('cannot modify the body of an update it forwards', () => {
    const cp = new FakeControlPlane();
    const alice = new Member('alice', cp);
    const bob = new Member('bob', cp);
    const m = alice.text('original');
    const tampered = Uint8Array.from(m.update.update);
    const at = tampered.indexOf('o'.charCodeAt(0));
    expect(at).toBeGreaterThan(0);
    tampered[at] = 'O'.charCodeAt(0);
    expect(reason(bob.doc.receive({ ...m.update, update: tampered }))).toBe('bad-signature');
    const bytes = encodeSignedUpdate(m.update);
    // A byte of the Yjs update (the signature is the last 64 bytes).
    bytes[bytes.length - 70] = (bytes[bytes.length - 70] ?? 0) ^ 0xff;
    expect(reason(bob.doc.receive(bytes))).toBe('bad-signature');
    expect(bob.doc.timeline()).toEqual([]);
    // The genuine update, forwarded by anyone, is still accepted.
    expect(bob.doc.receive(encodeSignedUpdate(m.update)).verdict).toBe('accepted');
  });

  it('replaying an update is a duplicate that changes nothing', () => {
    const { a1, b1, marker, attack } = setup();
    for (const u of [a1.update, b1.update, marker]) {
      expect(attack(u).map((v) => v.verdict)).toEqual(['duplicate', 'duplicate']);
      expect(attack(encodeSignedUpdate(u)).map((v) => v.verdict)).toEqual([
        'duplicate',
        'duplicate',
      ]);
    }
  });

  it('cannot lie about the seq in an entry envelope', () => {
    const { mallory, attack, stillWorks } = setup();
    const doc = mallory.mirror();
    const update = Forger.capture(doc, () => {
      doc.getArray(`log:${mallory.device}`).insert(0, [mallory.entry(5, 10)]);
    });
    expect(attack(mallory.sign(update)).map(reason)).toEqual([
      'envelope-seq-mismatch',
      'envelope-seq-mismatch',
    ]);
    stillWorks();
  });

  it('an entry whose body is not MIMI content is never shown (the verdict ignores bodies)', () => {
    const { mallory, attack } = setup();
    const doc = mallory.mirror();
    const id = Uint8Array.of(1, ...new Uint8Array(31).fill(7)) as MessageId;
    const update = Forger.capture(doc, () => {
      const bad = encodeEnvelope({ seq: 0, lamport: 10, ts: 0, messageId: id });
      doc.getArray(`log:${mallory.device}`).insert(0, [[bad]]);
    });
    const signed = { ...mallory.sign(update), bodies: [Uint8Array.of(1, 2)] };
    expect(attack(signed).map(reason)).toEqual(['accepted', 'accepted']);
  });

  it('cannot name a body with anything but a SHA-256 message ID', () => {
    const { mallory, attack } = setup();
    const doc = mallory.mirror();
    const update = Forger.capture(doc, () => {
      const bad = encodeEnvelope({
        seq: 0,
        lamport: 10,
        ts: 0,
        messageId: new Uint8Array(32) as MessageId,
      });
      doc.getArray(`log:${mallory.device}`).insert(0, [[bad]]);
    });
    expect(attack(mallory.sign(update)).map(reason)).toEqual(['bad-envelope', 'bad-envelope']);
  });

  it('cannot write other content types (strings, bare bytes, nested types)', () => {
    const { cp, mallory, attack } = setup();
    const values: unknown[] = ['text', mallory.entry(0, 10)[0], new Y.Map(), [1, 2], [[]]];
    for (const [i, value] of values.entries()) {
      const forger = new Forger(keyOf(`content ${i}`));
      cp.addDevice(forger.key.publicKey, 'umallory' as never);
      const doc = forger.mirror();
      const update = Forger.capture(doc, () => {
        doc.getArray(`log:${forger.device}`).insert(0, [value]);
      });
      expect(attack(forger.sign(update)).map(reason)).toEqual([
        'unsupported-content',
        'unsupported-content',
      ]);
    }
  });

  it('cannot send oversized updates or entries', () => {
    const { mallory, attack } = setup();
    const big = mallory.sign(new Uint8Array(256 * 1024 + 1));
    expect(attack(big).map(reason)).toEqual(['too-large', 'too-large']);
    expect(attack(encodeSignedUpdate(big)).map(reason)).toEqual(['too-large', 'too-large']);
    mallory.seq = 0;
    mallory.prev = new Uint8Array(32);
    const doc = mallory.mirror();
    const update = Forger.capture(doc, () => {
      doc.getArray(`log:${mallory.device}`).insert(0, [mallory.entry(0, 10, 'x'.repeat(70_000))]);
    });
    // An oversized body is dropped (the entry stays invisible); the update itself is valid.
    expect(attack(mallory.sign(update)).map(reason)).toEqual(['accepted', 'accepted']);
  });

  // Budget: 3.7 s at a load average of 14 on 2 cores.
  it('random bytes never throw and change nothing', () => {
    const { cp, attack } = setup();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        const [v] = attack(bytes);
        expect(v?.verdict).toBe('rejected');
      }),
      { numRuns: 200 },
    );
    // Random Yjs bytes inside a correctly signed update, each from a fresh member.
    let n = 0;
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const forger = new Forger(keyOf(`random ${n++}`));
        cp.addDevice(forger.key.publicKey, 'urandom' as never);
        const [v] = attack(forger.sign(bytes));
        // A few random byte strings are valid empty Yjs updates; `attack` checked they did nothing.
        expect(['rejected', 'accepted']).toContain(v?.verdict);
      }),
      { numRuns: 200 },
    );
    expect(n).toBe(200);
  }, 30_000);

  it('a non-member cannot write, and a removed member cannot write after removal', () => {
    const { cp, mallory, attack } = setup();
    cp.removeDevice(mallory.key.publicKey, 1n);
    const doc = mallory.mirror();
    const update = Forger.capture(doc, () => {
      doc.getArray(`log:${mallory.device}`).insert(0, [mallory.entry(0, 10)]);
    });
    expect(attack(mallory.sign(update)).map(reason)).toEqual(['not-member', 'not-member']);
  });

  it('cannot send into another room', () => {
    const { mallory, attack } = setup();
    const doc = mallory.mirror();
    const update = Forger.capture(doc, () => {
      doc.getArray(`log:${mallory.device}`).insert(0, [mallory.entry(0, 10)]);
    });
    expect(attack(mallory.sign(update, { room: new Uint8Array(32) })).map(reason)).toEqual([
      'wrong-room',
      'wrong-room',
    ]);
  });
});
