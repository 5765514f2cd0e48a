import { emptyPskIndex, joinGroup, mlsExporter, type ClientState, type KeyPackage } from 'ts-mls';
import { toHex } from '../../packages/core/src/crypto/bytes.ts';
import {
  ConversationGroup,
  type GroupOptions,
} from '../../packages/core/src/group/conversation-group.ts';
import { epochIdOf } from '../../packages/core/src/group/epoch.ts';
import {
  createDeviceKeyPackage,
  decodeKeyPackage,
  encodeKeyPackage,
  type DeviceKeyPackage,
} from '../../packages/core/src/group/key-package.ts';
import { kithClientConfig, loadCiphersuite } from '../../packages/core/src/group/suite.ts';
import {
  kithAuthenticationService,
  type KithAuthenticationOptions,
} from '../../packages/core/src/identity/credential.ts';
import {
  createDeviceIdentity,
  createUserIdentity,
  type DeviceIdentity,
  type UserIdentity,
} from '../../packages/core/src/identity/identities.ts';
import { webRandom } from '../../packages/core/src/ports/random.ts';
import type { RoomState } from '../../packages/core/src/room/room-state.ts';
import { OpenMlsClient, type WirePolicy } from './openmls-client.ts';
import { frameKeyPackage, unframeKeyPackage, welcomeOf } from './wire.ts';

export async function kithOptions(auth: KithAuthenticationOptions = {}): Promise<GroupOptions> {
  return {
    cs: await loadCiphersuite(),
    config: kithClientConfig(kithAuthenticationService(auth), 16),
  };
}

export interface KithDevice {
  readonly user: UserIdentity;
  readonly device: DeviceIdentity;
  readonly kp: DeviceKeyPackage;
  /** The key package as core-crypto takes it: a bare KeyPackage struct. */
  readonly bareKeyPackage: Uint8Array;
}

export async function newKithDevice(user?: UserIdentity): Promise<KithDevice> {
  const u = user ?? createUserIdentity(webRandom);
  const device = createDeviceIdentity(u, webRandom, 'kith', 0);
  const kp = await createDeviceKeyPackage(device, await loadCiphersuite());
  return {
    user: u,
    device,
    kp,
    bareKeyPackage: unframeKeyPackage(encodeKeyPackage(kp.publicPackage)),
  };
}

/** An OpenMLS device of a new Kith user. */
export async function newOpenMlsDevice(): Promise<{ user: UserIdentity; client: OpenMlsClient }> {
  const user = createUserIdentity(webRandom);
  return { user, client: await OpenMlsClient.create(user, 'openmls') };
}

/** An OpenMLS client's key package, read with Kith's key-package codec. */
export async function openMlsKeyPackage(client: OpenMlsClient): Promise<KeyPackage> {
  const kp = decodeKeyPackage(frameKeyPackage(await client.keyPackage()));
  if (kp === undefined) throw new Error("Kith's codec refused core-crypto's key package");
  return kp;
}

export interface OpenMlsGroup {
  readonly openmls: OpenMlsClient;
  readonly openmlsUser: UserIdentity;
  readonly id: Uint8Array;
  /** The Welcome (an encoded MLSMessage) OpenMLS sent to the Kith devices. */
  readonly welcome: Uint8Array;
}

/** OpenMLS creates a group and adds the Kith devices in one commit (epoch 1). */
export async function openMlsGroupWith(
  devices: readonly KithDevice[],
  wirePolicy: WirePolicy,
): Promise<OpenMlsGroup> {
  const { user, client } = await newOpenMlsDevice();
  const id = webRandom.bytes(16);
  await client.createConversation(id, wirePolicy);
  const bundle = await client.add(
    id,
    devices.map((d) => d.bareKeyPackage),
  );
  if (bundle.welcome === undefined) throw new Error('OpenMLS sent no Welcome');
  return { openmls: client, openmlsUser: user, id, welcome: bundle.welcome.copyBytes() };
}

/**
 * Joins from a Welcome with ts-mls and Kith's client configuration (authentication service,
 * key retention): what ConversationGroup.join does, minus its room-state requirement.
 */
export async function joinWithKithConfig(
  welcome: Uint8Array,
  device: KithDevice,
  options?: GroupOptions,
): Promise<ClientState> {
  const o = options ?? (await kithOptions());
  return joinGroup(
    welcomeOf(welcome),
    device.kp.publicPackage,
    device.kp.privatePackage,
    emptyPskIndex,
    o.cs,
    undefined,
    undefined,
    o.config,
  );
}

/**
 * A ConversationGroup around a state whose GroupContext has no room state, with `room` kept
 * only in the epoch record: it lets Kith's own encrypt and commit frame messages for a group
 * OpenMLS is in. The room is not in the GroupContext, so it checks framing, not room agreement.
 */
export async function restoredGroup(
  state: ClientState,
  room: RoomState,
): Promise<ConversationGroup> {
  const record = {
    epoch: state.groupContext.epoch,
    epochId: epochIdOf(state),
    state,
    room,
    commit: undefined,
    committedByMe: false,
  };
  return ConversationGroup.restore([record], await kithOptions());
}

/** MLS-Exporter("exporter", "", 32) of a ts-mls state, as hex: equal keys mean equal epochs. */
export async function exporterOf(state: ClientState): Promise<string> {
  const cs = await loadCiphersuite();
  return toHex(
    await mlsExporter(state.keySchedule.exporterSecret, 'exporter', new Uint8Array(), 32, cs),
  );
}

export async function openMlsExporter(
  group: Pick<OpenMlsGroup, 'openmls' | 'id'>,
): Promise<string> {
  return toHex(await group.openmls.exporter(group.id, 32));
}
