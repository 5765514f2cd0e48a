import { describe, expect, it } from 'vitest';
import { bytesEqual } from '../../src/crypto/bytes.ts';
import { utf8 } from '../../src/crypto/utf8.ts';
import type { ConversationGroup } from '../../src/group/conversation-group.ts';
import type { Proposal } from 'ts-mls';
import { checkCommit } from '../../src/group/commit-policy.ts';
import { withRoom } from '../../src/group/group-helpers.ts';
import { ownLeafIndex } from '../../src/group/leaves.ts';
import { withCuts } from '../../src/room/cuts.ts';
import { Roles } from '../../src/room/roles.ts';
import { withChanges, withParticipant, type RoomState } from '../../src/room/room-state.ts';
import {
  addProposal,
  createRoom,
  freshKeyPackage,
  join,
  newDevice,
  type TestDevice,
} from './fixtures.ts';

/** Owner A creates a room with B and C as members; all three at epoch 1. */
async function threeMembers(): Promise<{
  a: TestDevice;
  b: TestDevice;
  c: TestDevice;
  A: ConversationGroup;
  B: ConversationGroup;
  C: ConversationGroup;
}> {
  const [a, b, c] = await Promise.all([newDevice(), newDevice(), newDevice()]);
  const A = await createRoom(a);
  let room = withParticipant(A.room, b.user.userId, Roles.member);
  room = withParticipant(room, c.user.userId, Roles.member);
  const result = await A.commit(
    [addProposal(b.kp.publicPackage), addProposal(c.kp.publicPackage)],
    room,
  );
  if (!result.ok) throw new Error(result.refusal.message);
  const [B, C] = await Promise.all([join(b, result.welcome), join(c, result.welcome)]);
  return { a, b, c, A, B, C };
}

describe('ConversationGroup', () => {
  it("opens a sender's older messages after a much newer one (a relay mailbox read after gossip)", async () => {
    const { B, C } = await threeMembers();
    const sent = [];
    for (let i = 0; i < 60; i++) sent.push(await B.encrypt(utf8(`m${i}`)));
    const newest = sent.pop();
    if (newest === undefined) throw new Error('nothing sent');
    expect(await C.receive(newest)).toMatchObject({ kind: 'application' });
    const opened: string[] = [];
    for (const message of sent) {
      const got = await C.receive(message);
      if (got.kind === 'application') opened.push(new TextDecoder().decode(got.plaintext));
    }
    expect(opened).toEqual(Array.from({ length: 59 }, (_, i) => `m${i}`));
  });

  it('invites users, agrees on the room state and carries application messages', async () => {
    const { b, A, B, C } = await threeMembers();
    expect(B.head.epoch).toBe(1n);
    expect(bytesEqual(B.head.epochId, A.head.epochId)).toBe(true);
    expect(B.room.participants.get(b.user.userId)).toBe(Roles.member);
    expect(C.members()).toHaveLength(3);
    const sent = await B.encrypt(utf8('hello'));
    const got = await C.receive(sent);
    expect(got.kind).toBe('application');
    if (got.kind === 'application') {
      expect(new TextDecoder().decode(got.plaintext)).toBe('hello');
      expect(got.sender.userId).toBe(b.user.userId);
    }
    // Replaying the same ciphertext is refused by the ratchet.
    expect(await C.receive(sent)).toMatchObject({ kind: 'rejected', reason: 'undecryptable' });
  });

  it('adding all devices of a user at once, and refusing a banned user', async () => {
    const a = await newDevice();
    const b1 = await newDevice();
    const b2 = await newDevice(b1.user);
    const A = await createRoom(a);
    const room = withParticipant(A.room, b1.user.userId, Roles.member);
    const r = await A.commit(
      [addProposal(b1.kp.publicPackage), addProposal(b2.kp.publicPackage)],
      room,
    );
    expect(r.ok).toBe(true);
    expect(A.members().filter((m) => m.userId === b1.user.userId)).toHaveLength(2);
    // Ban B: all B's devices must go in the same commit.
    const banned = withParticipant(A.room, b1.user.userId, Roles.banned);
    const leaves = A.members().filter((m) => m.userId === b1.user.userId);
    const partial = await A.commit(
      [{ proposalType: 'remove', remove: { removed: leaves[0]?.leafIndex ?? -1 } }],
      banned,
    );
    expect(partial).toMatchObject({
      ok: false,
      refusal: {
        code: 'INVALID_CHANGE',
        message: expect.stringContaining('without a participant role') as string,
      },
    });
    const ban = await A.commit(
      leaves.map((l) => ({ proposalType: 'remove' as const, remove: { removed: l.leafIndex } })),
      banned,
    );
    expect(ban.ok).toBe(true);
    const b3 = await freshKeyPackage(b1);
    const readd = await A.commit(
      [addProposal(b3.kp.publicPackage)],
      withParticipant(A.room, b1.user.userId, Roles.member),
    );
    expect(readd).toMatchObject({ ok: false, refusal: { code: 'BANNED' } });
  });

  it('refuses a member renaming the room, for the committer and for every receiver', async () => {
    const { B, C, A } = await threeMembers();
    const renamed = withChanges(B.room, { profile: { ...B.room.profile, name: 'mine now' } });
    const local = await B.commit([], renamed);
    expect(local).toMatchObject({ ok: false, refusal: { code: 'NOT_ALLOWED' } });
    // Promote B to moderator; then B may rename.
    const promote = await A.commit(
      [],
      withParticipant(A.room, B.self()?.userId ?? ('' as never), Roles.moderator),
    );
    if (!promote.ok) throw new Error(promote.refusal.message);
    expect((await B.receive(promote.commit)).kind).toBe('commit');
    expect((await C.receive(promote.commit)).kind).toBe('commit');
    const ok = await B.commit(
      [],
      withChanges(B.room, { profile: { ...B.room.profile, name: 'renamed' } }),
    );
    if (!ok.ok) throw new Error(ok.refusal.message);
    expect((await C.receive(ok.commit)).kind).toBe('commit');
    expect(C.room.profile.name).toBe('renamed');
  });

  it('two commits in one epoch: every member ends on the lower-ranked one', async () => {
    const { A, B, C } = await threeMembers();
    const fromB = await B.commit([]);
    const fromC = await C.commit([]);
    if (!fromB.ok || !fromC.ok) throw new Error('commit refused');
    // A sees B's first, then C's; B sees C's; C sees B's.
    const a1 = await A.receive(fromB.commit);
    const a2 = await A.receive(fromC.commit);
    const b1 = await B.receive(fromC.commit);
    const c1 = await C.receive(fromB.commit);
    expect(a1.kind).toBe('commit');
    const outcomes = [a2.kind, b1.kind, c1.kind].sort();
    // Exactly one of B and C switches; A switches iff C's commit wins.
    expect(outcomes).toContain('fork-switched');
    expect(bytesEqual(A.head.epochId, B.head.epochId)).toBe(true);
    expect(bytesEqual(A.head.epochId, C.head.epochId)).toBe(true);
    // Messages on the common head flow again.
    const m = await A.encrypt(utf8('after the fork'));
    expect((await B.receive(m)).kind).toBe('application');
    expect((await C.receive(m)).kind).toBe('application');
  });

  it('a removed member cannot decrypt anything sent after its removal', async () => {
    const { A, B, C, c } = await threeMembers();
    const leaf = A.members().find((m) => m.userId === c.user.userId)?.leafIndex ?? -1;
    const kick = await A.commit(
      [{ proposalType: 'remove', remove: { removed: leaf } }],
      withParticipant(A.room, c.user.userId, Roles.none),
    );
    if (!kick.ok) throw new Error(kick.refusal.message);
    const atB = await B.receive(kick.commit);
    expect(atB.kind).toBe('commit');
    const cOutcome = await C.receive(kick.commit);
    expect(cOutcome.kind).toBe('commit');
    expect(C.active).toBe(false);
    const secret = await A.encrypt(utf8('after removal'));
    expect((await B.receive(secret)).kind).toBe('application');
    const atC = await C.receive(secret);
    // C holds it as a message of an epoch it has not reached (and, removed, never will).
    expect(atC).toEqual({ kind: 'pending' });
    expect(C.takeReleased()).toEqual([]);
  });

  it('every member refuses a removal whose commit does not cut the removed device', async () => {
    const { A, c } = await threeMembers();
    const leaf = A.members().find((m) => m.userId === c.user.userId)?.leafIndex ?? -1;
    const remove: Proposal = { proposalType: 'remove', remove: { removed: leaf } };
    const bare = withParticipant(A.room, c.user.userId, Roles.none);
    const gce = (room: RoomState): Proposal => ({
      proposalType: 'group_context_extensions',
      groupContextExtensions: { extensions: withRoom(A.head.state, room) },
    });
    const check = (room: RoomState) =>
      checkCommit(A.head.state, A.head.room, ownLeafIndex(A.head.state), [
        { proposal: remove, senderLeafIndex: undefined },
        { proposal: gce(room), senderLeafIndex: undefined },
      ]);
    expect(check(bare)).toMatchObject({ ok: false, refusal: { code: 'INVALID_CHANGE' } });
    // What `commit` writes: the same change with the cut.
    const cut = withCuts(
      A.head.room,
      bare,
      A.members(),
      A.members().filter((m) => m.leafIndex !== leaf),
      A.head.epoch + 1n,
      new Map(),
    );
    expect(check(cut).ok).toBe(true);
  });

  it('holds a message of an epoch not reached yet and releases it after the commit', async () => {
    const { A, B, C } = await threeMembers();
    const commit = await A.commit([]);
    if (!commit.ok) throw new Error('refused');
    expect((await B.receive(commit.commit)).kind).toBe('commit');
    const early = await B.encrypt(utf8('from the future'));
    expect((await C.receive(early)).kind).toBe('pending');
    expect((await C.receive(commit.commit)).kind).toBe('commit');
    const released = C.takeReleased();
    expect(released).toHaveLength(1);
    expect((await C.receive(released[0] ?? new Uint8Array())).kind).toBe('application');
  });

  it('rejects garbage without throwing', async () => {
    const { A } = await threeMembers();
    for (const bytes of [
      new Uint8Array(),
      Uint8Array.of(0, 1, 2, 3),
      new Uint8Array(100).fill(0xff),
    ]) {
      expect(await A.receive(bytes)).toMatchObject({ kind: 'rejected', reason: 'malformed' });
    }
  });
});
