import { createCommit, encodeMlsMessage } from 'ts-mls';
import { describe, expect, it } from 'vitest';
import { bytesEqual } from '../../src/crypto/bytes.ts';
import type { ConversationGroup } from '../../src/group/conversation-group.ts';
import { encodeAad } from '../../src/group/epoch.ts';
import { loadCiphersuite } from '../../src/group/suite.ts';
import { Roles } from '../../src/room/roles.ts';
import { ROOM_STATE_EXTENSION_TYPE } from '../../src/room/room-state-codec.ts';
import { withChanges, withParticipant } from '../../src/room/room-state.ts';
import {
  addProposal,
  createRoom,
  expectRefusedByAll,
  forgedCommit,
  join,
  newDevice,
  type TestDevice,
} from './fixtures.ts';

async function room(): Promise<{
  owner: TestDevice;
  mallory: TestDevice;
  carol: TestDevice;
  A: ConversationGroup;
  M: ConversationGroup;
  C: ConversationGroup;
}> {
  const [owner, mallory, carol] = await Promise.all([newDevice(), newDevice(), newDevice()]);
  const A = await createRoom(owner);
  let state = withParticipant(A.room, mallory.user.userId, Roles.member);
  state = withParticipant(state, carol.user.userId, Roles.member);
  const r = await A.commit(
    [addProposal(mallory.kp.publicPackage), addProposal(carol.kp.publicPackage)],
    state,
  );
  if (!r.ok) throw new Error(r.refusal.message);
  return {
    owner,
    mallory,
    carol,
    A,
    M: await join(mallory, r.welcome),
    C: await join(carol, r.welcome),
  };
}

/**
 * A member that skips Kith's own checks and commits straight through ts-mls, as a modified
 * client would. Every honest member must refuse its commit the same way and stay where it was.
 */
describe('a malicious member bypassing its own client', () => {
  it('renaming the room without the role', async () => {
    const { A, M, C } = await room();
    const commit = await forgedCommit(
      M,
      [],
      withChanges(M.room, { profile: { ...M.room.profile, name: 'pwned' } }),
    );
    await expectRefusedByAll([A, C], commit, 'NOT_ALLOWED');
    expect(A.room.profile.name).toBe('room');
  });

  it('promoting itself to owner', async () => {
    const { A, M, C, mallory } = await room();
    const commit = await forgedCommit(
      M,
      [],
      withParticipant(M.room, mallory.user.userId, Roles.owner),
    );
    await expectRefusedByAll([A, C], commit, 'NOT_ALLOWED');
  });

  it('kicking the owner', async () => {
    const { A, M, C, owner } = await room();
    const leaf = M.members().find((m) => m.userId === owner.user.userId)?.leafIndex ?? -1;
    const commit = await forgedCommit(
      M,
      [{ proposalType: 'remove', remove: { removed: leaf } }],
      withParticipant(M.room, owner.user.userId, Roles.none),
    );
    await expectRefusedByAll([A, C], commit, 'NOT_ALLOWED');
  });

  it("removing another member's device without changing the participant list", async () => {
    const { A, M, C, carol } = await room();
    const leaf = M.members().find((m) => m.userId === carol.user.userId)?.leafIndex ?? -1;
    const commit = await forgedCommit(M, [{ proposalType: 'remove', remove: { removed: leaf } }]);
    await expectRefusedByAll([A, C], commit, 'NOT_ALLOWED');
  });

  it('adding a device of a user who is not in the room (no participant entry)', async () => {
    const { A, M, C } = await room();
    const stranger = await newDevice();
    const commit = await forgedCommit(M, [addProposal(stranger.kp.publicPackage)]);
    await expectRefusedByAll([A, C], commit, 'INVALID_CHANGE');
  });

  it('adding a banned user', async () => {
    const { A, M, C } = await room();
    const banned = await newDevice();
    const ban = await A.commit([], withParticipant(A.room, banned.user.userId, Roles.banned));
    if (!ban.ok) throw new Error(ban.refusal.message);
    await M.receive(ban.commit);
    await C.receive(ban.commit);
    const commit = await forgedCommit(
      M,
      [addProposal(banned.kp.publicPackage)],
      withParticipant(M.room, banned.user.userId, Roles.member),
    );
    await expectRefusedByAll([A, C], commit, 'BANNED');
  });

  it('a room state that does not decode', async () => {
    const { A, M, C } = await room();
    const head = M.head;
    const result = await createCommit(
      { state: head.state, cipherSuite: await loadCiphersuite() },
      {
        extraProposals: [
          {
            proposalType: 'group_context_extensions',
            groupContextExtensions: {
              extensions: [
                { extensionType: ROOM_STATE_EXTENSION_TYPE, extensionData: Uint8Array.of(0xff) },
              ],
            },
          },
        ],
        authenticatedData: encodeAad('commit', head.epochId),
      },
    );
    await expectRefusedByAll([A, C], encodeMlsMessage(result.commit), 'INVALID_CHANGE');
  });

  it('replaying an old commit changes nothing', async () => {
    const { A, C } = await room();
    const rename = await A.commit(
      [],
      withChanges(A.room, { profile: { ...A.room.profile, name: 'one' } }),
    );
    if (!rename.ok) throw new Error('refused');
    expect((await C.receive(rename.commit)).kind).toBe('commit');
    const epoch = C.head.epochId;
    expect(await C.receive(rename.commit)).toMatchObject({ kind: 'ignored', reason: 'duplicate' });
    expect(bytesEqual(C.head.epochId, epoch)).toBe(true);
  });

  it('truncated and bit-flipped commits are refused without a throw', async () => {
    const { A, C } = await room();
    const rename = await A.commit(
      [],
      withChanges(A.room, { profile: { ...A.room.profile, name: 'two' } }),
    );
    if (!rename.ok) throw new Error('refused');
    const bytes = rename.commit;
    for (let i = 0; i < bytes.length; i += Math.max(1, Math.floor(bytes.length / 40))) {
      const flipped = bytes.slice();
      flipped[i] = (flipped[i] ?? 0) ^ 0x01;
      const outcome = await C.receive(flipped);
      expect(['rejected', 'pending', 'ignored']).toContain(outcome.kind);
      expect((await C.receive(bytes.subarray(0, i))).kind).not.toBe('commit');
    }
    expect((await C.receive(bytes)).kind).toBe('commit');
  });
});
