import { decodeMlsMessage, type KeyPackage, type Welcome } from 'ts-mls';
import { kithAuthenticationService } from '../../src/identity/credential.ts';
import {
  createDeviceIdentity,
  createUserIdentity,
  type DeviceIdentity,
  type UserIdentity,
} from '../../src/identity/identities.ts';
import { ConversationGroup, type GroupOptions } from '../../src/group/conversation-group.ts';
import { createDeviceKeyPackage, type DeviceKeyPackage } from '../../src/group/key-package.ts';
import { kithClientConfig, loadCiphersuite } from '../../src/group/suite.ts';
import { webRandom } from '../../src/ports/random.ts';
import { newRoomState, type RoomKind } from '../../src/room/room-state.ts';

export interface TestDevice {
  readonly user: UserIdentity;
  readonly device: DeviceIdentity;
  readonly kp: DeviceKeyPackage;
}

async function groupOptions(): Promise<GroupOptions> {
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
  return ConversationGroup.create(
    webRandom.bytes(32),
    owner.kp.publicPackage,
    owner.kp.privatePackage,
    newRoomState({ kind, creator: owner.user.userId, name: 'room' }),
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
