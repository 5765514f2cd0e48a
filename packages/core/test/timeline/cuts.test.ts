import { describe, expect, it } from 'vitest';
import { retraction } from '../../src/content/builders.ts';
import { encodeContent } from '../../src/content/codec.ts';
import { contentMessageId } from '../../src/content/message-id.ts';
import { toHex } from '../../src/crypto/bytes.ts';
import {
  encodeDeviceCertificate,
  issueDeviceCertificate,
} from '../../src/identity/device-certificate.ts';
import { userIdFromPublicKey } from '../../src/identity/user-id.ts';
import type { RoomId } from '../../src/ids.ts';
import { encodeEnvelope } from '../../src/timeline/envelope.ts';
import {
  decodeSignedUpdate,
  encodeSignedUpdate,
  signUpdate,
  type SignedUpdate,
} from '../../src/timeline/signed-update.ts';
import { roomUri, userUri } from '../../src/timeline/uris.ts';
import type { UpdateVerdict } from '../../src/timeline/verdict.ts';
import { CutWorld, observe, role, room, Roles, shuffled } from './cut-world.ts';
import { FakeControlPlane, Forger, freshSalt, keyOf, Member, project, ROOM } from './helpers.ts';

const SEEDS = [1, 2, 3, 4, 5, 6];
const utf8 = new TextDecoder();

function reason(v: UpdateVerdict): string {
  return v.verdict === 'rejected' ? v.reason : v.verdict;
}

/**
 * What a timeline shows, briefly: sender, text (null when retracted) and who retracted, in a
 * fixed order (the timeline's own order is by lamport and device ID).
 */
function shown(timeline: unknown[]): unknown[] {
  return timeline
    .map((t) => {
      const m = t as { sender: string; text: string | null; retractedBy: string | null };
      return [m.sender, m.retractedBy === null ? m.text : null, m.retractedBy];
    })
    .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
}

/**
 * Epoch 1: alice (owner), bob, mallory (member), mona (moderator); everyone writes, mona
 * retracts bob's message as a moderator. Epoch 2: alice removes mallory and demotes mona, the
 * cuts made from alice's chain heads. Epoch 3: carol joins. Then mallory writes naming
 * `attackEpoch` (1: with the keys she kept), mona retracts alice's message naming epoch 1 (when
 * she was a moderator), and bob writes.
 */
function scenario(attackEpoch: bigint) {
  const world = new CutWorld();
  const [alice, bob, mallory, mona] = ['alice', 'bob', 'mallory', 'mona'].map((n) =>
    CutWorld.member(n),
  ) as [
    ReturnType<typeof CutWorld.member>,
    ReturnType<typeof CutWorld.member>,
    ReturnType<typeof CutWorld.member>,
    ReturnType<typeof CutWorld.member>,
  ];
  const everyone = [alice, bob, mallory, mona];
  const r1 = room([
    [alice, Roles.owner],
    [bob, Roles.member],
    [mallory, Roles.member],
    [mona, Roles.moderator],
  ]);
  const e1 = world.add(1n, r1, everyone);
  for (const m of everyone) m.history.restore([e1]);
  const a1 = alice.text('a1');
  const b1 = bob.text('b1');
  const m1 = mallory.text('m1 before removal');
  const r = mona.retract(b1);
  const before = [a1.update, b1.update, m1.update, r.update];
  for (const m of everyone) for (const u of before) m.doc.receive(u);
  const e2 = world.commit(alice, role(role(r1, mallory, Roles.none), mona, Roles.member), [
    alice,
    bob,
    mona,
  ]);
  const carol = CutWorld.member('carol');
  world.add(3n, role(e2.room, carol, Roles.member), [alice, bob, mona, carol]);
  // Her own client would not write any more: she signs what it would have, naming the epoch.
  const written = mallory.text('m2 after removal').update;
  const m2 = {
    update: {
      ...signUpdate({ ...written, epoch: attackEpoch }, mallory.key.secretKey),
      bodies: written.bodies,
    } as SignedUpdate,
  };
  const x = mona.retract(a1);
  bob.history.restore(world.from(2n));
  const b2 = bob.text('b2');
  return { world, updates: [...before, m2.update, x.update, b2.update], m2, x };
}

const EXPECTED = shown([
  { sender: 'ualice', text: 'a1', retractedBy: null },
  { sender: 'ubob', text: null, retractedBy: 'umona' },
  { sender: 'umallory', text: 'm1 before removal', retractedBy: null },
  { sender: 'ubob', text: 'b2', retractedBy: null },
]);

describe('removal and demotion cut the data plane', () => {
  it('the cut records the removed and demoted devices at the committer’s heads', () => {
    const { world } = scenario(1n);
    const cuts = world.epochs[1]?.room.cuts ?? [];
    expect(cuts.map((c) => [c.user, c.seq, c.removed, c.retractAny, c.epoch])).toEqual(
      [
        ['umallory', 1, true, false, 2n],
        ['umona', 1, false, true, 2n],
      ].sort((a, b) =>
        toHex(keyOf(String(a[0]).slice(1)).publicKey) <
        toHex(keyOf(String(b[0]).slice(1)).publicKey)
          ? -1
          : 1,
      ),
    );
  });

  for (const attackEpoch of [1n, 2n]) {
    it(`a removed member that wrote cannot write after removal, naming epoch ${attackEpoch} (every order, every member)`, () => {
      const { world, updates, m2 } = scenario(attackEpoch);
      const views = SEEDS.flatMap((seed) => [
        observe(world, 'olga', updates, seed, { known: 1n }),
        observe(world, 'olga', updates, seed, { known: 1n, learnLast: true }),
        observe(world, 'olga', updates, seed, { known: 3n }),
        observe(world, 'carol', updates, seed, { joined: 3n }),
      ]);
      for (const v of views) {
        expect(shown(v.timeline)).toEqual(EXPECTED);
        expect(v.heads).toEqual(views[0]?.heads);
      }
      // Sent again to a member that has the cut, the verdict names the defence that answers.
      const late = views.at(-1)?.m;
      expect(late && reason(late.doc.receive(m2.update))).toBe(
        attackEpoch === 1n ? 'beyond-cut' : 'not-member',
      );
    });
  }

  it('a demoted moderator cannot retract by naming an epoch where it still was one', () => {
    const { world, updates, x } = scenario(1n);
    for (const seed of SEEDS) {
      const v = observe(world, 'olga', updates, seed, { known: 1n + BigInt(seed % 3) });
      expect(shown(v.timeline)).toEqual(EXPECTED);
    }
    // Its retraction is a valid update of a member: linked, but it takes nothing down.
    const fresh = observe(
      world,
      'carol',
      updates.filter((u) => u !== x.update),
      1,
      { joined: 3n },
    );
    expect(reason(fresh.m.doc.receive(x.update))).toBe('accepted');
    expect(shown(project(fresh.m.doc.timeline()))).toEqual(EXPECTED);
  });

  it('a newcomer judges a departed moderator’s earlier retraction as it was (no divergence)', () => {
    const { world, updates } = scenario(1n);
    const early = observe(world, 'olga', updates, 3, { known: 3n });
    const late = observe(world, 'carol', updates, 3, { joined: 3n });
    expect(late.timeline).toEqual(early.timeline);
    expect(shown(late.timeline)).toContainEqual(['ubob', null, 'umona']);
  });

  it('nobody can make up an author who "wrote before you joined" (pre-join ghost)', () => {
    const { world, updates } = scenario(1n);
    const ghostUser = keyOf('ghost user');
    const ghost = new Forger(keyOf('ghost device'), userIdFromPublicKey(ghostUser.publicKey));
    ghost.epoch = 1n;
    const doc = ghost.mirror();
    const forged = ghost.sign(
      Forger.capture(doc, () => {
        doc.getArray(`log:${ghost.device}`).insert(0, [ghost.entry(0, 1, 'I was here')]);
      }),
    );
    const certificate = encodeDeviceCertificate(
      issueDeviceCertificate(ghostUser, ghost.key.publicKey, 'ghost', 0),
    );
    for (const seed of SEEDS.slice(0, 4)) {
      const views = [
        observe(world, 'olga', updates, seed, { known: 3n }),
        observe(world, 'carol', updates, seed, { joined: 3n }),
      ];
      for (const v of views) {
        v.m.history.learnCertificate(certificate);
        expect(reason(v.m.doc.receive(forged))).toBe('not-member');
        expect(shown(project(v.m.doc.timeline()))).toEqual(EXPECTED);
      }
    }
  });
});

describe('message IDs are owned', () => {
  /**
   * Mallory, a member, signs an entry naming alice's message ID with a lower lamport and no
   * body, then retracts "her own" message.
   */
  function theft() {
    const cp = new FakeControlPlane();
    const alice = new Member('alice', cp);
    const a1 = alice.text('alice’s words');
    const mallory = new Forger(keyOf('mallory'));
    cp.addDevice(mallory.key.publicKey, mallory.user);
    const doc = mallory.mirror();
    const claim = mallory.sign(
      Forger.capture(doc, () => {
        doc
          .getArray(`log:${mallory.device}`)
          .insert(0, [[encodeEnvelope({ seq: 0, lamport: 1, ts: 0, messageId: a1.messageId })]]);
      }),
    );
    const body = encodeContent(retraction(a1, { salt: freshSalt() }));
    const id = contentMessageId(body, userUri(mallory.user), roomUri(toHex(ROOM) as RoomId));
    mallory.bodies.push(body);
    const retract = mallory.sign(
      Forger.capture(doc, () => {
        doc
          .getArray(`log:${mallory.device}`)
          .insert(1, [[encodeEnvelope({ seq: 1, lamport: 2, ts: 0, messageId: id })]]);
      }),
    );
    return { cp, alice, a1, updates: [a1.update, claim, retract] };
  }

  it('an entry naming another’s message ID takes nothing over, in any order, with or without bodies', () => {
    const { cp, a1, updates } = theft();
    // History withheld from a newcomer: alice's update without its body.
    const withheld = (u: SignedUpdate): SignedUpdate =>
      u === a1.update ? decodeSignedUpdate(encodeSignedUpdate(u)) : u;
    for (const seed of SEEDS) {
      const order = shuffled(updates, seed);
      const full = new Member(`o${seed}`, cp);
      const blind = new Member(`b${seed}`, cp);
      for (const u of order) {
        full.doc.receive(u);
        blind.doc.receive(withheld(u));
      }
      const m = full.doc.message(a1.messageId);
      expect(m?.sender).toBe('ualice');
      expect(m?.retracted).toBe(false);
      const body = m?.content.body;
      expect(body?.kind === 'single' && utf8.decode(body.content)).toBe('alice’s words');
      expect(shown(project(full.doc.timeline()))).toEqual([['ualice', 'alice’s words', null]]);
      // Without alice's body, neither claim is shown (not mallory's "retracted message").
      expect(project(blind.doc.timeline())).toEqual([]);
      // The body arriving later (a duplicate carrying it) goes to alice's entry only.
      expect(blind.doc.receive(a1.update).verdict).toBe('duplicate');
      expect(project(blind.doc.timeline())).toEqual(project(full.doc.timeline()));
    }
  });

  it('the victim can still edit and retract its message', () => {
    const { cp, alice, a1, updates } = theft();
    const bob = new Member('bob', cp);
    for (const u of updates.slice(1)) alice.doc.receive(u);
    for (const u of [...updates].reverse()) bob.doc.receive(u);
    const e = alice.edit(a1, 'edited');
    bob.doc.receive(e.update);
    expect(shown(project(bob.doc.timeline()))).toEqual([['ualice', 'edited', null]]);
    const r = alice.retract(a1);
    bob.doc.receive(r.update);
    // A disputed ID's retracted placeholder is not shown anywhere (bodies or not).
    expect(project(bob.doc.timeline())).toEqual(project(alice.doc.timeline()));
  });
});
