import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/crypto/bytes.ts';
import type { ConversationGroup } from '../../src/group/conversation-group.ts';
import { Roles } from '../../src/room/roles.ts';
import {
  activeParticipants,
  newRoomState,
  withChanges,
  withParticipant,
} from '../../src/room/room-state.ts';
import {
  addProposal,
  createGroup,
  expectRefusedByAll,
  forgedCommit,
  join,
  newDevice,
  type TestDevice,
} from './fixtures.ts';

/**
 * A DM as KithClient makes one: both users are owners from the start, then the other user's
 * devices are added. Alice has two devices (A1, A2), so "every other member" is more than one.
 */
async function dm(): Promise<{
  mallory: TestDevice;
  A1: ConversationGroup;
  A2: ConversationGroup;
  M: ConversationGroup;
}> {
  const alice1 = await newDevice();
  const alice2 = await newDevice(alice1.user);
  const mallory = await newDevice();
  const state = withParticipant(
    newRoomState({ kind: 'dm', creator: alice1.user.userId }),
    mallory.user.userId,
    Roles.owner,
  );
  const A1 = await createGroup(alice1, state);
  const r = await A1.commit(
    [addProposal(alice2.kp.publicPackage), addProposal(mallory.kp.publicPackage)],
    undefined,
  );
  if (!r.ok) throw new Error(r.refusal.message);
  return { mallory, A1, A2: await join(alice2, r.welcome), M: await join(mallory, r.welcome) };
}

/** Every other device refuses `commit` with `code`, and the DM keeps its two users. */
async function expectRefusedByAllKeepingTwo(
  honest: readonly ConversationGroup[],
  commit: Uint8Array,
  code: string,
): Promise<void> {
  await expectRefusedByAll(honest, commit, code);
  for (const g of honest) expect(activeParticipants(g.room)).toHaveLength(2);
}

describe('a DM member bypassing its own client to add a third user', () => {
  it('as a member: every other device of the DM refuses the commit', async () => {
    const { A1, A2, M } = await dm();
    const carol = await newDevice();
    const commit = await forgedCommit(
      M,
      [addProposal(carol.kp.publicPackage)],
      withParticipant(M.room, carol.user.userId, Roles.member),
    );
    await expectRefusedByAllKeepingTwo([A1, A2], commit, 'DM_FIXED');
  });

  it('as an owner, or only banning a stranger into the participant list', async () => {
    const { A1, A2, M } = await dm();
    const carol = await newDevice();
    const asOwner = await forgedCommit(
      M,
      [addProposal(carol.kp.publicPackage)],
      withParticipant(M.room, carol.user.userId, Roles.owner),
    );
    await expectRefusedByAllKeepingTwo([A1, A2], asOwner, 'DM_FIXED');
    const banned = await forgedCommit(
      M,
      [],
      withParticipant(M.room, carol.user.userId, Roles.banned),
    );
    await expectRefusedByAllKeepingTwo([A1, A2], banned, 'DM_FIXED');
  });

  it("adding a stranger's device without a participant entry", async () => {
    const { A1, A2, M } = await dm();
    const carol = await newDevice();
    const commit = await forgedCommit(M, [addProposal(carol.kp.publicPackage)]);
    await expectRefusedByAllKeepingTwo([A1, A2], commit, 'INVALID_CHANGE');
  });

  it('turning the DM into a group on the way', async () => {
    const { A1, A2, M } = await dm();
    const carol = await newDevice();
    const commit = await forgedCommit(
      M,
      [addProposal(carol.kp.publicPackage)],
      withParticipant(withChanges(M.room, { kind: 'group' }), carol.user.userId, Roles.member),
    );
    await expectRefusedByAllKeepingTwo([A1, A2], commit, 'INVALID_CHANGE');
  });

  it('a DM stays two users, not two devices: adding one’s own device is accepted', async () => {
    const { A1, A2, M, mallory } = await dm();
    const second = await newDevice(mallory.user);
    const commit = await forgedCommit(M, [addProposal(second.kp.publicPackage)]);
    for (const g of [A1, A2]) {
      expect((await g.receive(commit)).kind).toBe('commit');
      expect(g.members().filter((d) => d.userId === mallory.user.userId)).toHaveLength(2);
      expect(toHex(g.groupId)).toBe(toHex(M.groupId));
    }
  });
});
