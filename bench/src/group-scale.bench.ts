import {
  createApplicationMessage,
  createCommit,
  createGroup,
  decodeMlsMessage,
  defaultCapabilities,
  defaultLifetime,
  emptyPskIndex,
  encodeMlsMessage,
  generateKeyPackage,
  joinGroup,
  processPrivateMessage,
  type CiphersuiteImpl,
  type ClientState,
  type KeyPackage,
  type PrivateKeyPackage,
  type Proposal,
  type Welcome,
} from 'ts-mls';
import {
  ConversationGroup,
  createDeviceIdentity,
  createDeviceKeyPackage,
  createUserIdentity,
  kithAuthenticationService,
  kithClientConfig,
  loadCiphersuite,
  newRoomState,
  Roles,
  webRandom,
  withChanges,
  withParticipant,
  type DeviceIdentity,
  type DeviceKeyPackage,
  type GroupOptions,
  type RoomState,
  type UserId,
} from '@kith/core';
import { goal, median, report, timeOnce, type Measurement } from './measure.ts';

/**
 * Control-plane operations in a large conversation: a member commits an add (and later a
 * remove), another member processes it, and the added device joins from the Welcome. The
 * baseline does the same on a raw ts-mls group of the same size (basic credentials, no room
 * state). Kith's commits also carry the room state (a GroupContext extensions proposal, which
 * needs an update path) and every member runs the room policy on them.
 */
export async function benchGroupScale(quick: boolean): Promise<void> {
  const size = Number(process.env['GS_SIZE'] ?? (quick ? 100 : 1000));
  const rounds = Number(process.env['GS_ROUNDS'] ?? (quick ? 2 : 5));
  const cs = await loadCiphersuite();

  const kithRows = await kithGroupOps(cs, size, rounds);
  const rawRows = await rawGroupOps(cs, size, rounds);
  report(`group scale: ${size} members (median of ${rounds})`, [
    [kithRows.addCreate, rawRows.addCreate],
    [kithRows.addProcess, rawRows.addProcess],
    [kithRows.join, rawRows.join],
    [kithRows.removeCreate, rawRows.removeCreate],
    [kithRows.removeProcess, rawRows.removeProcess],
  ]);
  console.log(
    `(built in: kith ${ms(kithRows.buildNs)} ms, raw ts-mls ${ms(rawRows.buildNs)} ms, one commit of ${size - 1} adds)`,
  );
  goal(
    'add, created and processed',
    (kithRows.addCreate.nsPerOp + kithRows.addProcess.nsPerOp) / 1e6,
    50,
    'ms',
  );
  goal(
    'remove, created and processed',
    (kithRows.removeCreate.nsPerOp + kithRows.removeProcess.nsPerOp) / 1e6,
    50,
    'ms',
  );
  goal('join from the Welcome', kithRows.join.nsPerOp / 1e6, 1000, 'ms');
}

interface GroupOps {
  readonly buildNs: number;
  readonly addCreate: Measurement;
  readonly addProcess: Measurement;
  readonly join: Measurement;
  readonly removeCreate: Measurement;
  readonly removeProcess: Measurement;
}

interface Device {
  readonly identity: DeviceIdentity;
  readonly kp: DeviceKeyPackage;
}

async function newDevice(cs: CiphersuiteImpl): Promise<Device> {
  const identity = createDeviceIdentity(createUserIdentity(webRandom), webRandom, 'bench', 0);
  return { identity, kp: await createDeviceKeyPackage(identity, cs) };
}

async function kithGroupOps(
  cs: CiphersuiteImpl,
  size: number,
  rounds: number,
): Promise<GroupOps> {
  const options: GroupOptions = {
    cs,
    config: kithClientConfig(kithAuthenticationService(), 16),
  };
  const devices: Device[] = [];
  for (let i = 0; i < size; i++) devices.push(await newDevice(cs));
  const [owner, second] = devices;
  if (owner === undefined || second === undefined) throw new Error('a group of two or more');
  const participants = new Map<UserId, number>(
    devices.map((d, i) => [d.identity.userId, i === 0 ? Roles.owner : Roles.member]),
  );
  const initial = newRoomState({ kind: 'group', creator: owner.identity.userId, name: 'bench' });
  const A = await ConversationGroup.create(
    webRandom.bytes(32),
    owner.kp.publicPackage,
    owner.kp.privatePackage,
    initial,
    options,
  );
  const build = await timeOnce(() =>
    A.commit(
      devices.slice(1).map((d) => add(d.kp.publicPackage)),
      withChanges(initial, { participants }),
    ),
  );
  if (!build.value.ok) throw new Error(build.value.refusal.message);
  const B = await ConversationGroup.join(
    welcomeOf(build.value.welcome),
    second.kp.publicPackage,
    second.kp.privatePackage,
    options,
  );
  if (B === undefined) throw new Error('the second member could not join');

  const samples = { addCreate: [], addProcess: [], join: [], removeCreate: [], removeProcess: [] };
  const push = (key: keyof typeof samples, ns: number): void => {
    (samples[key] as number[]).push(ns);
  };
  for (let round = 0; round < rounds; round++) {
    const newcomer = await newDevice(cs);
    const user = newcomer.identity.userId;
    const added = await timeOnce(() =>
      A.commit([add(newcomer.kp.publicPackage)], withParticipant(A.room, user, Roles.member)),
    );
    if (!added.value.ok) throw new Error(added.value.refusal.message);
    push('addCreate', added.ns);
    const commit = added.value.commit;
    const processed = await timeOnce(() => B.receive(commit));
    expectKind(processed.value.kind, 'commit');
    push('addProcess', processed.ns);
    const welcome = added.value.welcome;
    const joined = await timeOnce(() =>
      ConversationGroup.join(
        welcomeOf(welcome),
        newcomer.kp.publicPackage,
        newcomer.kp.privatePackage,
        options,
      ),
    );
    if (joined.value === undefined) throw new Error('the newcomer could not join');
    push('join', joined.ns);
    console.log('join', joined.ns / 1e6);
    const leaf = A.members().find((m) => m.userId === user)?.leafIndex ?? -1;
    const removed = await timeOnce(() =>
      A.commit([remove(leaf)], withParticipant(A.room, user, Roles.none)),
    );
    if (!removed.value.ok) throw new Error(removed.value.refusal.message);
    push('removeCreate', removed.ns);
    const removal = removed.value.commit;
    const processedRemoval = await timeOnce(() => B.receive(removal));
    expectKind(processedRemoval.value.kind, 'commit');
    push('removeProcess', processedRemoval.ns);
  }
  return {
    buildNs: build.ns,
    addCreate: median('add: commit', samples.addCreate),
    addProcess: median('add: process', samples.addProcess),
    join: median('join from Welcome', samples.join),
    removeCreate: median('remove: commit', samples.removeCreate),
    removeProcess: median('remove: process', samples.removeProcess),
  };
}

async function rawGroupOps(cs: CiphersuiteImpl, size: number, rounds: number): Promise<GroupOps> {
  const keyPackages: { publicPackage: KeyPackage; privatePackage: PrivateKeyPackage }[] = [];
  for (let i = 0; i < size; i++) keyPackages.push(await rawKeyPackage(cs, `member ${i}`));
  const [owner, second] = keyPackages;
  if (owner === undefined || second === undefined) throw new Error('a group of two or more');
  let A = await createGroup(
    webRandom.bytes(32),
    owner.publicPackage,
    owner.privatePackage,
    [],
    cs,
  );
  const build = await timeOnce(() =>
    createCommit(
      { state: A, cipherSuite: cs },
      {
        extraProposals: keyPackages.slice(1).map((kp) => add(kp.publicPackage)),
        ratchetTreeExtension: true,
      },
    ),
  );
  A = build.value.newState;
  let B = await joinGroup(
    requireWelcome(build.value.welcome),
    second.publicPackage,
    second.privatePackage,
    emptyPskIndex,
    cs,
  );

  const samples = { addCreate: [], addProcess: [], join: [], removeCreate: [], removeProcess: [] };
  const push = (key: keyof typeof samples, ns: number): void => {
    (samples[key] as number[]).push(ns);
  };
  const commitOn = async (
    state: ClientState,
    proposals: Proposal[],
  ): Promise<{ state: ClientState; commit: Uint8Array; welcome: Welcome | undefined }> => {
    const result = await createCommit(
      { state, cipherSuite: cs },
      { extraProposals: proposals, ratchetTreeExtension: true },
    );
    return {
      state: result.newState,
      commit: encodeMlsMessage(result.commit),
      welcome: result.welcome,
    };
  };
  const processOn = async (state: ClientState, bytes: Uint8Array): Promise<ClientState> => {
    const decoded = decodeMlsMessage(bytes, 0)?.[0];
    if (decoded?.wireformat !== 'mls_private_message') throw new Error('not a private message');
    const result = await processPrivateMessage(state, decoded.privateMessage, emptyPskIndex, cs);
    return result.newState;
  };
  for (let round = 0; round < rounds; round++) {
    const newcomer = await rawKeyPackage(cs, `newcomer ${round}`);
    const added = await timeOnce(() => commitOn(A, [add(newcomer.publicPackage)]));
    A = added.value.state;
    push('addCreate', added.ns);
    const processed = await timeOnce(() => processOn(B, added.value.commit));
    B = processed.value;
    push('addProcess', processed.ns);
    const welcome = requireWelcome(added.value.welcome);
    const joined = await timeOnce(() =>
      joinGroup(welcome, newcomer.publicPackage, newcomer.privatePackage, emptyPskIndex, cs),
    );
    push('join', joined.ns);
    console.log('join', joined.ns / 1e6);
    const leaf = joined.value.privatePath.leafIndex;
    const removed = await timeOnce(() => commitOn(A, [remove(leaf)]));
    A = removed.value.state;
    push('removeCreate', removed.ns);
    const processedRemoval = await timeOnce(() => processOn(B, removed.value.commit));
    B = processedRemoval.value;
    push('removeProcess', processedRemoval.ns);
  }
  // Keep the application-message path of the raw group exercised alongside (unused figure).
  void createApplicationMessage;
  return {
    buildNs: build.ns,
    addCreate: median('createCommit (add)', samples.addCreate),
    addProcess: median('processPrivateMessage (add)', samples.addProcess),
    join: median('joinGroup', samples.join),
    removeCreate: median('createCommit (remove)', samples.removeCreate),
    removeProcess: median('processPrivateMessage (remove)', samples.removeProcess),
  };
}

function rawKeyPackage(
  cs: CiphersuiteImpl,
  name: string,
): Promise<{ publicPackage: KeyPackage; privatePackage: PrivateKeyPackage }> {
  return generateKeyPackage(
    { credentialType: 'basic', identity: new TextEncoder().encode(name) },
    defaultCapabilities(),
    defaultLifetime,
    [],
    cs,
  );
}

function add(keyPackage: KeyPackage): Proposal {
  return { proposalType: 'add', add: { keyPackage } };
}

function remove(leafIndex: number): Proposal {
  return { proposalType: 'remove', remove: { removed: leafIndex } };
}

function welcomeOf(bytes: Uint8Array | undefined): Welcome {
  if (bytes === undefined) throw new Error('no Welcome');
  const decoded = decodeMlsMessage(bytes, 0)?.[0];
  if (decoded?.wireformat !== 'mls_welcome') throw new Error('not a Welcome');
  return decoded.welcome;
}

function requireWelcome(welcome: Welcome | undefined): Welcome {
  if (welcome === undefined) throw new Error('no Welcome');
  return welcome;
}

function expectKind(kind: string, expected: string): void {
  if (kind !== expected) throw new Error(`expected ${expected}, got ${kind}`);
}

function ms(ns: number): string {
  return (ns / 1e6).toFixed(0);
}

export type { RoomState };
