import { describe, expect, it } from 'vitest';
import { groupInfoRefusal, undoneCut } from '../../src/client/branch-guard.ts';
import { ConversationGroup } from '../../src/group/conversation-group.ts';
import { decodeEpochRecord, encodeEpochRecord } from '../../src/group/record-codec.ts';
import { Roles } from '../../src/room/roles.ts';
import { withParticipant } from '../../src/room/room-state.ts';
import { addProposal, createRoom, groupOptions, join, newDevice } from '../group/fixtures.ts';

async function copy(g: ConversationGroup): Promise<ConversationGroup> {
  const options = await groupOptions();
  return ConversationGroup.restore(
    g.chain.map((r) => decodeEpochRecord(encodeEpochRecord(r), options.config)),
    options,
  );
}

describe('taking another chain wholesale (a GroupInfo, a Welcome)', () => {
  it('only from members of this chain, and never undoing a cut it holds', async () => {
    const [a, b, m] = await Promise.all([newDevice(), newDevice(), newDevice()]);
    const A = await createRoom(a);
    let room = withParticipant(A.room, b.user.userId, Roles.member);
    room = withParticipant(room, m.user.userId, Roles.member);
    const r = await A.commit(
      [addProposal(b.kp.publicPackage), addProposal(m.kp.publicPackage)],
      room,
    );
    if (!r.ok) throw new Error(r.refusal.message);
    const B = await join(b, r.welcome);
    const M = await join(m, r.welcome);
    const before = await copy(B);
    const leaf = A.members().find((x) => x.userId === m.user.userId)?.leafIndex ?? -1;
    const ban = await A.commit(
      [{ proposalType: 'remove', remove: { removed: leaf } }],
      withParticipant(A.room, m.user.userId, Roles.banned),
    );
    if (!ban.ok) throw new Error(ban.refusal.message);
    await B.receive(ban.commit);
    const members = B.members();
    const deviceOf = (g: ConversationGroup) => g.self()?.deviceId ?? ('' as never);
    // From the banned device: refused as a sender, and as a signer when a member relays it.
    const own = await M.groupInfo();
    expect(groupInfoRefusal(own, deviceOf(M), members, B.chain)).toMatch(/sent by/);
    expect(groupInfoRefusal(own, deviceOf(A), members, B.chain)).toMatch(/signed by/);
    // Signed by a member, but of the chain before the ban: it would undo it.
    const stale = await before.groupInfo();
    expect(groupInfoRefusal(stale, deviceOf(A), members, B.chain)).toMatch(/undo the removal/);
    expect(undoneCut(B.chain, before.room)).toBe(m.user.userId);
    // The room's own chain, as it is: nothing to refuse.
    expect(groupInfoRefusal(await A.groupInfo(), deviceOf(A), members, B.chain)).toBeUndefined();
    expect(undoneCut(B.chain, A.room)).toBeUndefined();
  });
});
