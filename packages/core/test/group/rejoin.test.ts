import { describe, expect, it } from 'vitest';
import { bytesEqual } from '../../src/crypto/bytes.ts';
import { utf8 } from '../../src/crypto/utf8.ts';
import { ConversationGroup } from '../../src/group/conversation-group.ts';
import { kithAuthenticationService } from '../../src/identity/credential.ts';
import { kithClientConfig, loadCiphersuite } from '../../src/group/suite.ts';
import { Roles } from '../../src/room/roles.ts';
import { withChanges, withParticipant } from '../../src/room/room-state.ts';
import { addProposal, createRoom, freshKeyPackage, join, newDevice } from './fixtures.ts';

async function options() {
  return { cs: await loadCiphersuite(), config: kithClientConfig(kithAuthenticationService(), 16) };
}

/** A and B in a room; A then commits past B's reach (more epochs than are retained). */
async function fallenBehind() {
  const [a, b, c] = await Promise.all([newDevice(), newDevice(), newDevice()]);
  const A = await createRoom(a);
  let room = withParticipant(A.room, b.user.userId, Roles.member);
  room = withParticipant(room, c.user.userId, Roles.member);
  const r = await A.commit(
    [addProposal(b.kp.publicPackage), addProposal(c.kp.publicPackage)],
    room,
  );
  if (!r.ok) throw new Error(r.refusal.message);
  const B = await join(b, r.welcome);
  const C = await join(c, r.welcome);
  for (let i = 0; i < 18; i++) {
    const x = await A.commit(
      [],
      withChanges(A.room, { profile: { ...A.room.profile, name: `n${i}` } }),
    );
    if (!x.ok) throw new Error(x.refusal.message);
    expect((await C.receive(x.commit)).kind).toBe('commit');
  }
  return { a, b, c, A, B, C };
}

describe('rejoining by external commit', () => {
  it('a member too far behind comes back from a GroupInfo, and every member accepts it', async () => {
    const { b, A, B, C } = await fallenBehind();
    expect(B.head.epoch).toBe(1n);
    expect(A.commitsAfter(B.chain.map((r) => r.epochId))).toBeUndefined();
    const fresh = await freshKeyPackage(b);
    const back = await ConversationGroup.rejoin(
      await A.groupInfo(),
      fresh.kp.publicPackage,
      fresh.kp.privatePackage,
      await options(),
    );
    if (typeof back === 'string') throw new Error(back);
    expect((await A.receive(back.commit)).kind).toBe('commit');
    expect((await C.receive(back.commit)).kind).toBe('commit');
    expect(bytesEqual(A.head.epochId, back.group.head.epochId)).toBe(true);
    expect(A.members().filter((m) => m.userId === b.user.userId)).toHaveLength(1);
    expect(back.group.room.profile.name).toBe('n17');
    const hello = await back.group.encrypt(utf8('back again'));
    expect((await A.receive(hello)).kind).toBe('application');
    const reply = await C.encrypt(utf8('welcome back'));
    expect((await back.group.receive(reply)).kind).toBe('application');
  });

  it('a removed user cannot come back that way', async () => {
    const { b, A, C } = await fallenBehind();
    const leaf = A.members().find((m) => m.userId === b.user.userId)?.leafIndex ?? -1;
    const kick = await A.commit(
      [{ proposalType: 'remove', remove: { removed: leaf } }],
      withParticipant(A.room, b.user.userId, Roles.none),
    );
    if (!kick.ok) throw new Error(kick.refusal.message);
    expect((await C.receive(kick.commit)).kind).toBe('commit');
    const fresh = await freshKeyPackage(b);
    const kicked = await ConversationGroup.rejoin(
      await A.groupInfo(),
      fresh.kp.publicPackage,
      fresh.kp.privatePackage,
      await options(),
    );
    if (typeof kicked === 'string') throw new Error(kicked);
    for (const g of [A, C]) {
      expect(await g.receive(kicked.commit)).toMatchObject({
        kind: 'rejected',
        refusal: { code: 'NOT_A_MEMBER' },
      });
    }
  });

  it('a stranger with a GroupInfo is refused by every member', async () => {
    const { A, C } = await fallenBehind();
    const stranger = await newDevice();
    const attempt = await ConversationGroup.rejoin(
      await A.groupInfo(),
      stranger.kp.publicPackage,
      stranger.kp.privatePackage,
      await options(),
    );
    if (typeof attempt === 'string') throw new Error(attempt);
    for (const g of [A, C]) {
      expect(await g.receive(attempt.commit)).toMatchObject({
        kind: 'rejected',
        refusal: { code: 'NOT_A_MEMBER' },
      });
    }
  });
});
