import {
  createCommit,
  decodeMlsMessage,
  encodeMlsMessage,
  type KeyPackage,
  type Proposal,
  type Welcome,
} from 'ts-mls';
import { expect } from 'vitest';
import { bytesEqual } from '../../src/crypto/bytes.ts';
import { kithAuthenticationService } from '../../src/identity/credential.ts';
import {
  createDeviceIdentity,
  createUserIdentity,
  type DeviceIdentity,
  type UserIdentity,
} from '../../src/identity/identities.ts';
import { ConversationGroup, type GroupOptions } from '../../src/group/conversation-group.ts';
import { encodeAad } from '../../src/group/epoch.ts';
import { createDeviceKeyPackage, type DeviceKeyPackage } from '../../src/group/key-package.ts';
import { kithClientConfig, loadCiphersuite } from '../../src/group/suite.ts';
import { webRandom } from '../../src/ports/random.ts';
import { encodeRoomState, ROOM_STATE_EXTENSION_TYPE } from '../../src/room/room-state-codec.ts';
import { newRoomState, type RoomKind, type RoomState } from '../../src/room/room-state.ts';

export interface TestDevice {
  readonly user: UserIdentity;
  readonly device: DeviceIdentity;
  readonly kp: DeviceKeyPackage;
}

export async function groupOptions(): Promise<GroupOptions> {
  return { cs: await loadCiphersuite(), config: kithClientConfig(kithAuthenticationService(), 16) };
}

export async function newDevice(user?: UserIdentity): Promise<TestDevice> {
  const u = user ?? createUserIdentity(webRandom);
  const device = createDeviceIdentity(u, webRandom, 'test', 0);
  return { user: u, device, kp: await createDeviceKeyPackage(device, await loadCiphersuite()) };
}

/** Another key package for an existing device (each key package is used once). */
export async function freshKeyPackage(d: TestDevice): Promise<TestDevice> {
  return { ...d, kp: await createDeviceKeyPackage(d.device, await loadCiphersuite()) };
}

export async function createRoom(
  owner: TestDevice,
  kind: RoomKind = 'group',
): Promise<ConversationGroup> {
  return createGroup(owner, newRoomState({ kind, creator: owner.user.userId, name: 'room' }));
}

/** A new group of `owner`'s device alone, holding `room`. */
export async function createGroup(owner: TestDevice, room: RoomState): Promise<ConversationGroup> {
  return ConversationGroup.create(
    webRandom.bytes(32),
    owner.kp.publicPackage,
    owner.kp.privatePackage,
    room,
    await groupOptions(),
  );
}

function welcomeOf(bytes: Uint8Array | undefined): Welcome {
  if (bytes === undefined) throw new Error('no welcome');
  const decoded = decodeMlsMessage(bytes, 0);
  if (decoded?.[0].wireformat !== 'mls_welcome') throw new Error('not a welcome');
  return decoded[0].welcome;
}

export async function join(
  d: TestDevice,
  welcome: Uint8Array | undefined,
): Promise<ConversationGroup> {
  const group = await ConversationGroup.join(
    welcomeOf(welcome),
    d.kp.publicPackage,
    d.kp.privatePackage,
    await groupOptions(),
  );
  if (group === undefined) throw new Error('join failed');
  return group;
}

export function addProposal(kp: KeyPackage): {
  proposalType: 'add';
  add: { keyPackage: KeyPackage };
} {
  return { proposalType: 'add', add: { keyPackage: kp } };
}

/**
 * A commit made straight through ts-mls, skipping Kith's own checks, as a modified client would:
 * `proposals`, and `room` as the new room state if given.
 */
export async function forgedCommit(
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

/** Every honest member refuses `commit` with `code` and stays at the epoch it was in. */
export async function expectRefusedByAll(
  honest: readonly ConversationGroup[],
  commit: Uint8Array,
  code: string,
): Promise<void> {
  for (const g of honest) {
    const before = g.head.epochId;
    expect(await g.receive(commit)).toMatchObject({ kind: 'rejected', refusal: { code } });
    expect(bytesEqual(g.head.epochId, before)).toBe(true);
  }
}
