// Kith's side sending: key packages, Welcomes, application messages and commits as Kith frames
// them (PrivateMessages with Kith's authenticated data), to OpenMLS (core-crypto 9.3.4).
import { createCommit, createGroup, createApplicationMessage } from 'ts-mls';
import { afterAll, describe, expect, it } from 'vitest';
import { utf8 } from '../../packages/core/src/crypto/utf8.ts';
import { ConversationGroup } from '../../packages/core/src/group/conversation-group.ts';
import { decryptApplication } from '../../packages/core/src/group/decrypt-application.ts';
import { encodeAad, epochIdOf } from '../../packages/core/src/group/epoch.ts';
import { deviceOfKeyPackage } from '../../packages/core/src/group/leaves.ts';
import { ROOM_STATE_EXTENSION_TYPE } from '../../packages/core/src/room/room-state-codec.ts';
import { Roles } from '../../packages/core/src/room/roles.ts';
import {
  newRoomState,
  withChanges,
  withParticipant,
} from '../../packages/core/src/room/room-state.ts';
import { webRandom } from '../../packages/core/src/ports/random.ts';
import {
  exporterOf,
  joinWithKithConfig,
  kithOptions,
  newKithDevice,
  newOpenMlsDevice,
  openMlsExporter,
  openMlsGroupWith,
  openMlsKeyPackage,
  restoredGroup,
} from './fixtures.ts';
import { closeAllOpenMlsClients, WirePolicy } from './openmls-client.ts';
import { encodePrivateMessage, encodeWelcome, privateMessageOf, welcomeOf } from './wire.ts';

afterAll(closeAllOpenMlsClients);

const text = (bytes: Uint8Array | undefined): string | undefined =>
  bytes === undefined ? undefined : new TextDecoder().decode(bytes);

describe('Kith key packages and Welcomes to OpenMLS', () => {
  it('a Kith room cannot add an OpenMLS device: its leaf does not list the room-state extension', async () => {
    const alice = await newKithDevice();
    const { user, client } = await newOpenMlsDevice();
    const kp = await openMlsKeyPackage(client);
    // Kith reads core-crypto's leaf as the Kith device it certifies...
    expect(deviceOfKeyPackage(kp)?.userId).toBe(user.userId);
    // ...but core-crypto offers no way to list extension 0xf0a1 in its capabilities,
    expect(kp.leafNode.capabilities.extensions).not.toContain(ROOM_STATE_EXTENSION_TYPE);
    const options = await kithOptions();
    const room = newRoomState({ kind: 'group', creator: alice.user.userId, name: 'room' });
    const A = await ConversationGroup.create(
      webRandom.bytes(32),
      alice.kp.publicPackage,
      alice.kp.privatePackage,
      room,
      options,
    );
    // ...and ts-mls refuses to add a leaf that does not: a refusal, and nothing changes.
    const result = await A.commit(
      [{ proposalType: 'add', add: { keyPackage: kp } }],
      withParticipant(room, user.userId, Roles.member),
    );
    expect(result).toMatchObject({ ok: false, refusal: { code: 'INVALID_CHANGE' } });
    if (!result.ok) {
      expect(result.refusal.message).toContain("doesn't support extension in GroupContext");
    }
    expect(A.head.epoch).toBe(0n);
    expect(A.members()).toHaveLength(1);
  });

  it('OpenMLS joins from the Welcome of a Kith device (a group without room state)', async () => {
    const alice = await newKithDevice();
    const { client } = await newOpenMlsDevice();
    const { cs, config } = await kithOptions();
    const state = await createGroup(
      webRandom.bytes(32),
      alice.kp.publicPackage,
      alice.kp.privatePackage,
      [],
      cs,
      config,
    );
    // Built as ConversationGroup.commit builds its commits.
    const added = await createCommit(
      { state, cipherSuite: cs },
      {
        extraProposals: [
          { proposalType: 'add', add: { keyPackage: await openMlsKeyPackage(client) } },
        ],
        authenticatedData: encodeAad('commit', epochIdOf(state)),
        ratchetTreeExtension: true,
      },
    );
    if (added.welcome === undefined) throw new Error('no Welcome');
    const id = await client.join(encodeWelcome(added.welcome), WirePolicy.Ciphertext);
    expect(await client.epoch(id)).toBe(1n);
    expect(await client.members(id)).toHaveLength(2);
    expect(await exporterOf(added.newState)).toBe(await openMlsExporter({ openmls: client, id }));
    const { privateMessage } = await createApplicationMessage(
      added.newState,
      utf8('welcome aboard'),
      cs,
      encodeAad('application', epochIdOf(added.newState)),
    );
    expect(text((await client.decrypt(id, encodePrivateMessage(privateMessage))).message)).toBe(
      'welcome aboard',
    );
  });
});

/**
 * OpenMLS creates a group (PrivateMessage handshakes) with Kith devices Alice and Carol; Alice
 * follows it with a ConversationGroup restored around her ts-mls state (see restoredGroup).
 */
async function mixedGroup() {
  const [alice, carol] = await Promise.all([newKithDevice(), newKithDevice()]);
  const group = await openMlsGroupWith([alice, carol], WirePolicy.Ciphertext);
  let room = newRoomState({ kind: 'group', creator: alice.user.userId, name: 'mixed' });
  room = withParticipant(room, group.openmlsUser.userId, Roles.member);
  room = withParticipant(room, carol.user.userId, Roles.member);
  const A = await restoredGroup(await joinWithKithConfig(group.welcome, alice), room);
  const leafOf = (userId: string): number => {
    const leaf = A.members().find((m) => m.userId === userId)?.leafIndex;
    if (leaf === undefined) throw new Error('no such member');
    return leaf;
  };
  return { alice, carol, group, A, room, leafOf };
}

describe("Kith's frames to OpenMLS", () => {
  it('application messages and commits with Kith authenticated data; then a Kith device joins a Kith room from OpenMLS', async () => {
    const { carol, group, A, room, leafOf } = await mixedGroup();
    const { openmls, id } = group;
    expect(text((await openmls.decrypt(id, await A.encrypt(utf8('one')))).message)).toBe('one');

    const empty = await A.commit([]);
    if (!empty.ok) throw new Error(empty.refusal.message);
    expect((await openmls.decrypt(id, empty.commit)).hasEpochChanged).toBe(true);
    expect(await openmls.epoch(id)).toBe(2n);
    expect(await openMlsExporter(group)).toBe(await exporterOf(A.head.state));

    // Removing Carol changes the room state too: GroupContextExtensions with 0xf0a1, and a
    // path whose secrets are encrypted under the new extensions (the ts-mls patch, RFC 9420
    // 12.4.2). OpenMLS takes the unknown extension, though its own leaf does not list it.
    const withoutCarol = withParticipant(room, carol.user.userId, Roles.none);
    const removal = await A.commit(
      [{ proposalType: 'remove', remove: { removed: leafOf(carol.user.userId) } }],
      withoutCarol,
    );
    if (!removal.ok) throw new Error(removal.refusal.message);
    expect((await openmls.decrypt(id, removal.commit)).hasEpochChanged).toBe(true);
    expect(await openMlsExporter(group)).toBe(await exporterOf(A.head.state));
    expect(text((await openmls.decrypt(id, await A.encrypt(utf8('two')))).message)).toBe('two');

    // OpenMLS's GroupContext now carries the room state, so ConversationGroup.join takes
    // the Welcome OpenMLS sends to a new Kith device.
    const dave = await newKithDevice();
    const add = await openmls.add(id, [dave.bareKeyPackage]);
    const welcome = add.welcome?.copyBytes();
    if (welcome === undefined) throw new Error('no Welcome');
    const D = await ConversationGroup.join(
      welcomeOf(welcome),
      dave.kp.publicPackage,
      dave.kp.privatePackage,
      await kithOptions(),
    );
    if (D === undefined) throw new Error('ConversationGroup.join refused the Welcome');
    expect(D.room.profile.name).toBe('mixed');
    expect(D.room.participants.has(carol.user.userId)).toBe(false);
    expect(await exporterOf(D.head.state)).toBe(await openMlsExporter(group));
    expect(text((await openmls.decrypt(id, await D.encrypt(utf8('three')))).message)).toBe('three');
    // Dave is a member device but not a participant: OpenMLS cannot update the room state,
    // so Kith's policy refuses Dave's commits.
    expect(await D.commit([])).toMatchObject({ ok: false, refusal: { code: 'NOT_A_MEMBER' } });
  });

  it('OpenMLS applies a room-settings commit (the patch adds the path RFC 9420 requires)', async () => {
    const { group, A } = await mixedGroup();
    const renamed = await A.commit(
      [],
      withChanges(A.room, { profile: { ...A.room.profile, name: 'renamed' } }),
    );
    if (!renamed.ok) throw new Error(renamed.refusal.message);
    // Unpatched ts-mls 1.6.4 sends GroupContextExtensions without a path, and OpenMLS refuses
    // it with StageCommitError::RequiredPathNotFound ("Unable to determine commit path").
    const outcome = await group.openmls.decrypt(group.id, renamed.commit);
    expect(outcome.hasEpochChanged).toBe(true);
    expect(await group.openmls.epoch(group.id)).toBe(2n);
  });

  it('removing the OpenMLS device: OpenMLS learns it is out', async () => {
    const { group, A, room, leafOf } = await mixedGroup();
    const without = withParticipant(room, group.openmlsUser.userId, Roles.none);
    const kick = await A.commit(
      [{ proposalType: 'remove', remove: { removed: leafOf(group.openmlsUser.userId) } }],
      without,
    );
    if (!kick.ok) throw new Error(kick.refusal.message);
    const outcome = await group.openmls.decrypt(group.id, kick.commit);
    expect(outcome.hasEpochChanged).toBe(true);
    expect(outcome.isActive).toBe(false);
  });

  it('ConversationGroup.receive refuses what OpenMLS sends: no Kith authenticated data', async () => {
    const { group, A } = await mixedGroup();
    const message = await group.openmls.encrypt(group.id, utf8('from OpenMLS'));
    expect(await A.receive(message)).toEqual({
      kind: 'rejected',
      reason: 'malformed',
      detail: 'no Kith authenticated data',
    });
    // The same bytes open with Kith's decryptApplication: only the frame is missing.
    const { cs } = await kithOptions();
    const opened = await decryptApplication(A.head.state, privateMessageOf(message), cs);
    expect(text(opened.plaintext)).toBe('from OpenMLS');
    expect(opened.sender?.userId).toBe(group.openmlsUser.userId);

    const update = await group.openmls.update(group.id);
    expect(await A.receive(update.commit)).toEqual({
      kind: 'rejected',
      reason: 'malformed',
      detail: 'no Kith authenticated data',
    });
    expect(A.head.epoch).toBe(1n);
  });

  it('ConversationGroup.receive refuses OpenMLS commits sent as PublicMessage', async () => {
    const alice = await newKithDevice();
    const group = await openMlsGroupWith([alice], WirePolicy.Plaintext);
    const room = withParticipant(
      newRoomState({ kind: 'group', creator: alice.user.userId }),
      group.openmlsUser.userId,
      Roles.member,
    );
    const A = await restoredGroup(await joinWithKithConfig(group.welcome, alice), room);
    // Such a group (core-crypto's Plaintext policy) refuses Kith's PrivateMessage commits...
    const empty = await A.commit([]);
    if (!empty.ok) throw new Error(empty.refusal.message);
    await expect(group.openmls.decrypt(group.id, empty.commit)).rejects.toThrow(
      "The message's wire format is incompatible with the group's wire format policy",
    );
    expect(await group.openmls.epoch(group.id)).toBe(1n);
    // ...and Kith refuses its PublicMessage commits.
    const update = await group.openmls.update(group.id);
    // (Kith accepts a PublicMessage only as an external commit, from a device rejoining.)
    expect(await A.receive(update.commit)).toEqual({
      kind: 'rejected',
      reason: 'malformed',
      detail: 'Kith sends only external commits in the clear',
    });
  });
});
