import {
  createCommit,
  createGroup,
  emptyPskIndex,
  encodeMlsMessage,
  joinGroup,
  type CiphersuiteImpl,
  type ClientState,
  type Proposal,
  type Welcome,
} from 'ts-mls';
import {
  ConversationGroup,
  encodeRoomState,
  loadCiphersuite,
  newRoomState,
  ROOM_STATE_EXTENSION_TYPE,
  Roles,
  webRandom,
  withChanges,
  withParticipant,
  type UserId,
} from '@kith/core';
import {
  addProposal,
  kithDevice,
  kithOptions,
  rawKeyPackage,
  rawProcess,
  removeProposal,
  requireWelcome,
  welcomeOf,
  type BenchDevice,
  type RawKeyPackage,
} from './group-fixtures.ts';
import { rawCiphersuite } from './pipeline-pairs.ts';
import { format, goal, median, report, timeOnce, type Measurement } from './measure.ts';

/**
 * Membership changes in a large conversation: one member commits an add (then a remove),
 * another member processes it, and the added device joins from the Welcome. The baseline does
 * the same on a raw ts-mls group of the same size, with the same proposals: Kith's commits
 * carry the room state as a GroupContext extensions proposal, so the raw ones carry the same
 * bytes (and, like Kith's, need an update path). What is left is Kith's own work: the room
 * policy every member runs on every commit, and the device certificates it checks.
 */
export async function benchGroupScale(quick: boolean): Promise<void> {
  const size = quick ? 100 : 1000;
  const rounds = 3;
  const cs = await loadCiphersuite();
  const kith = await kithGroupOps(cs, size, rounds);
  const raw = await rawGroupOps(await rawCiphersuite(), size, rounds, kith.roomBytes);
  report(
    `group scale: ${size} members (median of ${rounds})`,
    [
      [kith.addCreate, raw.addCreate],
      [kith.addProcess, raw.addProcess],
      [kith.join, raw.join],
      [kith.removeCreate, raw.removeCreate],
      [kith.removeProcess, raw.removeProcess],
    ],
    'ms',
  );
  console.log(
    `built by one commit of ${size - 1} adds: ${format(ms(kith.buildNs))} ms ` +
      `(raw ts-mls ${format(ms(raw.buildNs))} ms)\n` +
      `first members() after joining (checks every device certificate once): ` +
      `${format(ms(kith.firstMembersNs))} ms\n` +
      `raw add-only commit, no room state and so no update path: commit ` +
      `${format(ms(raw.bareAddCreate))} ms, process ${format(ms(raw.bareAddProcess))} ms`,
  );
  const add = ms(kith.addCreate.nsPerOp + kith.addProcess.nsPerOp);
  goal('add, committed and processed', add, { below: 50 }, 'ms');
  const remove = ms(kith.removeCreate.nsPerOp + kith.removeProcess.nsPerOp);
  goal('remove, committed and processed', remove, { below: 50 }, 'ms');
  goal('join from the Welcome', ms(kith.join.nsPerOp), { below: 1000 }, 'ms');
}

interface GroupOps {
  readonly buildNs: number;
  readonly addCreate: Measurement;
  readonly addProcess: Measurement;
  readonly join: Measurement;
  readonly removeCreate: Measurement;
  readonly removeProcess: Measurement;
}

type Samples = Record<
  'addCreate' | 'addProcess' | 'join' | 'removeCreate' | 'removeProcess',
  number[]
>;

function samples(): Samples {
  return { addCreate: [], addProcess: [], join: [], removeCreate: [], removeProcess: [] };
}

async function kithGroupOps(
  cs: CiphersuiteImpl,
  size: number,
  rounds: number,
): Promise<GroupOps & { roomBytes: Uint8Array; firstMembersNs: number }> {
  const options = kithOptions(cs);
  const devices: BenchDevice[] = [];
  for (let i = 0; i < size; i++) devices.push(await kithDevice(cs));
  const [owner, second] = devices;
  if (owner === undefined || second === undefined) throw new Error('a group of two or more');
  const initial = newRoomState({ kind: 'group', creator: owner.identity.userId, name: 'bench' });
  const participants = new Map<UserId, number>(
    devices.map((d, i) => [d.identity.userId, i === 0 ? Roles.owner : Roles.member]),
  );
  const A = await ConversationGroup.create(
    webRandom.bytes(32),
    owner.kp.publicPackage,
    owner.kp.privatePackage,
    initial,
    options,
  );
  const build = await timeOnce(() =>
    A.commit(
      devices.slice(1).map((d) => addProposal(d.kp.publicPackage)),
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
  // The first look at the members reads every leaf's device certificate (then cached): a cost
  // the first commit after joining would otherwise carry.
  const firstMembers = await timeOnce(() => B.members());

  const s = samples();
  for (let round = 0; round < rounds; round++) {
    const newcomer = await kithDevice(cs);
    const user = newcomer.identity.userId;
    const added = await timeOnce(() =>
      A.commit(
        [addProposal(newcomer.kp.publicPackage)],
        withParticipant(A.room, user, Roles.member),
      ),
    );
    if (!added.value.ok) throw new Error(added.value.refusal.message);
    const { commit, welcome } = added.value;
    const processed = await timeOnce(() => B.receive(commit));
    expectKind(processed.value.kind, 'commit');
    const joined = await timeOnce(() =>
      ConversationGroup.join(
        welcomeOf(welcome),
        newcomer.kp.publicPackage,
        newcomer.kp.privatePackage,
        options,
      ),
    );
    if (joined.value === undefined) throw new Error('the newcomer could not join');
    const leaf = A.members().find((m) => m.userId === user)?.leafIndex ?? -1;
    const removed = await timeOnce(() =>
      A.commit([removeProposal(leaf)], withParticipant(A.room, user, Roles.none)),
    );
    if (!removed.value.ok) throw new Error(removed.value.refusal.message);
    const removal = removed.value.commit;
    const processedRemoval = await timeOnce(() => B.receive(removal));
    expectKind(processedRemoval.value.kind, 'commit');
    s.addCreate.push(added.ns);
    s.addProcess.push(processed.ns);
    s.join.push(joined.ns);
    s.removeCreate.push(removed.ns);
    s.removeProcess.push(processedRemoval.ns);
  }
  return {
    roomBytes: encodeRoomState(A.room),
    firstMembersNs: firstMembers.ns,
    buildNs: build.ns,
    addCreate: median('add: commit', s.addCreate),
    addProcess: median('add: receive commit', s.addProcess),
    join: median('ConversationGroup.join', s.join),
    removeCreate: median('remove: commit', s.removeCreate),
    removeProcess: median('remove: receive commit', s.removeProcess),
  };
}

async function rawGroupOps(
  cs: CiphersuiteImpl,
  size: number,
  rounds: number,
  roomBytes: Uint8Array,
): Promise<GroupOps & { bareAddCreate: number; bareAddProcess: number }> {
  const roomState: Proposal = {
    proposalType: 'group_context_extensions',
    groupContextExtensions: {
      extensions: [{ extensionType: ROOM_STATE_EXTENSION_TYPE, extensionData: roomBytes }],
    },
  };
  const keyPackages: RawKeyPackage[] = [];
  for (let i = 0; i < size; i++) keyPackages.push(await rawKeyPackage(cs, `member ${i}`));
  const [owner, second] = keyPackages;
  if (owner === undefined || second === undefined) throw new Error('a group of two or more');
  const commitOn = async (
    state: ClientState,
    proposals: Proposal[],
  ): Promise<{ state: ClientState; commit: Uint8Array; welcome: Welcome | undefined }> => {
    const result = await createCommit(
      { state, cipherSuite: cs },
      { extraProposals: proposals, ratchetTreeExtension: true },
    );
    const commit = encodeMlsMessage(result.commit);
    return { state: result.newState, commit, welcome: result.welcome };
  };
  const created = await createGroup(
    webRandom.bytes(32),
    owner.publicPackage,
    owner.privatePackage,
    [],
    cs,
  );
  const build = await timeOnce(() =>
    commitOn(created, [
      ...keyPackages.slice(1).map((k) => addProposal(k.publicPackage)),
      roomState,
    ]),
  );
  let A = build.value.state;
  let B = await joinGroup(
    requireWelcome(build.value.welcome),
    second.publicPackage,
    second.privatePackage,
    emptyPskIndex,
    cs,
  );

  const s = samples();
  const bare: Samples = samples();
  for (let round = 0; round < rounds; round++) {
    const newcomer = await rawKeyPackage(cs, `newcomer ${round}`);
    // An add-only commit for comparison (ts-mls states are values: nothing is kept).
    const bareAdd = await timeOnce(() => commitOn(A, [addProposal(newcomer.publicPackage)]));
    bare.addCreate.push(bareAdd.ns);
    bare.addProcess.push((await timeOnce(() => rawProcess(B, bareAdd.value.commit, cs))).ns);

    const added = await timeOnce(() =>
      commitOn(A, [addProposal(newcomer.publicPackage), roomState]),
    );
    A = added.value.state;
    const processed = await timeOnce(() => rawProcess(B, added.value.commit, cs));
    B = processed.value.state;
    const welcome = requireWelcome(added.value.welcome);
    const joined = await timeOnce(() =>
      joinGroup(welcome, newcomer.publicPackage, newcomer.privatePackage, emptyPskIndex, cs),
    );
    const leaf = joined.value.privatePath.leafIndex;
    const removed = await timeOnce(() => commitOn(A, [removeProposal(leaf), roomState]));
    A = removed.value.state;
    const processedRemoval = await timeOnce(() => rawProcess(B, removed.value.commit, cs));
    B = processedRemoval.value.state;
    s.addCreate.push(added.ns);
    s.addProcess.push(processed.ns);
    s.join.push(joined.ns);
    s.removeCreate.push(removed.ns);
    s.removeProcess.push(processedRemoval.ns);
  }
  return {
    buildNs: build.ns,
    addCreate: median('createCommit (add)', s.addCreate),
    addProcess: median('processPrivateMessage', s.addProcess),
    join: median('joinGroup', s.join),
    removeCreate: median('createCommit (remove)', s.removeCreate),
    removeProcess: median('processPrivateMessage', s.removeProcess),
    bareAddCreate: median('', bare.addCreate).nsPerOp,
    bareAddProcess: median('', bare.addProcess).nsPerOp,
  };
}

function expectKind(kind: string, expected: string): void {
  if (kind !== expected) throw new Error(`expected ${expected}, got ${kind}`);
}

function ms(ns: number): number {
  return ns / 1e6;
}
