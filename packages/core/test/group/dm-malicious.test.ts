import { createCommit, encodeMlsMessage, type Proposal } from 'ts-mls';
import { describe, expect, it } from 'vitest';
import { bytesEqual, toHex } from '../../src/crypto/bytes.ts';
import { ConversationGroup } from '../../src/group/conversation-group.ts';
import { encodeAad } from '../../src/group/epoch.ts';
import { kithClientConfig, loadCiphersuite } from '../../src/group/suite.ts';
import { kithAuthenticationService } from '../../src/identity/credential.ts';
import { webRandom } from '../../src/ports/random.ts';
import { Roles } from '../../src/room/roles.ts';
import { encodeRoomState, ROOM_STATE_EXTENSION_TYPE } from '../../src/room/room-state-codec.ts';
import {
  activeParticipants,
  newRoomState,
  withChanges,
  withParticipant,
  type RoomState,
} from '../../src/room/room-state.ts';
import { addProposal, join, newDevice, type TestDevice } from './fixtures.ts';

/** A commit made straight through ts-mls, skipping Kith's own checks, as a modified client would. */
async function forgedCommit(
  attacker: ConversationGroup,
  proposals: Proposal[],
  room?: RoomState,
): Promise<Uint8Array> {
  const head = attacker.head;
  const extra = [...proposals];
  if (room !== undefined) {
    extra.push({
      proposalType: 'group_context_extensions',
      groupContextExtensions: {
        extensions: [
          { extensionType: ROOM_STATE_EXTENSION_TYPE, extensionData: encodeRoomState(room) },
        ],
      },
    });
  }
  const result = await createCommit(
    { state: head.state, cipherSuite: await loadCiphersuite() },
    { extraProposals: extra, authenticatedData: encodeAad('commit', head.epochId) },
  );
  return encodeMlsMessage(result.commit);
}

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
  const options = {
    cs: await loadCiphersuite(),
    config: kithClientConfig(kithAuthenticationService(), 16),
  };
  const state = withParticipant(
    newRoomState({ kind: 'dm', creator: alice1.user.userId }),
    mallory.user.userId,
    Roles.owner,
  );
  const A1 = await ConversationGroup.create(
    webRandom.bytes(32),
    alice1.kp.publicPackage,
    alice1.kp.privatePackage,
    state,
    options,
  );
  const r = await A1.commit(
    [addProposal(alice2.kp.publicPackage), addProposal(mallory.kp.publicPackage)],
    undefined,
  );
  if (!r.ok) throw new Error(r.refusal.message);
  return { mallory, A1, A2: await join(alice2, r.welcome), M: await join(mallory, r.welcome) };
}

async function expectRefusedByAll(
  honest: readonly ConversationGroup[],
  commit: Uint8Array,
  code: string,
): Promise<void> {
  for (const g of honest) {
    const before = g.head.epochId;
    expect(await g.receive(commit)).toMatchObject({ kind: 'rejected', refusal: { code } });
    expect(bytesEqual(g.head.epochId, before)).toBe(true);
    expect(activeParticipants(g.room)).toHaveLength(2);
  }
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
    await expectRefusedByAll([A1, A2], commit, 'DM_FIXED');
  });

  it('as an owner, or only banning a stranger into the participant list', async () => {
    const { A1, A2, M } = await dm();
    const carol = await newDevice();
    const asOwner = await forgedCommit(
      M,
      [addProposal(carol.kp.publicPackage)],
      withParticipant(M.room, carol.user.userId, Roles.owner),
    );
    await expectRefusedByAll([A1, A2], asOwner, 'DM_FIXED');
    const banned = await forgedCommit(
      M,
      [],
      withParticipant(M.room, carol.user.userId, Roles.banned),
    );
    await expectRefusedByAll([A1, A2], banned, 'DM_FIXED');
  });

  it("adding a stranger's device without a participant entry", async () => {
    const { A1, A2, M } = await dm();
    const carol = await newDevice();
    const commit = await forgedCommit(M, [addProposal(carol.kp.publicPackage)]);
    await expectRefusedByAll([A1, A2], commit, 'INVALID_CHANGE');
  });

  it('turning the DM into a group on the way', async () => {
    const { A1, A2, M } = await dm();
    const carol = await newDevice();
    const commit = await forgedCommit(
      M,
      [addProposal(carol.kp.publicPackage)],
      withParticipant(withChanges(M.room, { kind: 'group' }), carol.user.userId, Roles.member),
    );
    await expectRefusedByAll([A1, A2], commit, 'INVALID_CHANGE');
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
