import {
  createApplicationMessage,
  createCommit,
  createGroup,
  emptyPskIndex,
  joinGroup,
} from 'ts-mls';
import type { CiphersuiteImpl, ClientState } from 'ts-mls';
import {
  ControlHistory,
  useEd25519,
  ConversationDoc,
  ConversationGroup,
  decodeAppPayload,
  deviceIdFromPublicKey,
  encodeAppPayload,
  loadCiphersuite,
  newRoomState,
  Roles,
  webRandom,
  withParticipant,
} from '@kith/core';
import {
  addProposal,
  encodePrivate,
  kithDevice,
  kithOptions,
  rawKeyPackage,
  rawProcess,
  requireWelcome,
  welcomeOf,
  type BenchDevice,
} from './group-fixtures.ts';
import { goal, measureAsync, report } from './measure.ts';
import { nodeEd25519 } from '@kith/node';
import { chatMessage } from './timeline-fixtures.ts';

/**
 * One message from sender to receiver through everything Kith does: encode the MIMI content,
 * write it into the sender's ConversationDoc (which signs the Yjs update), wrap it in an
 * application payload and encrypt it with the group; on the other member, decrypt, decode the
 * payload, verify and validate the signed update and apply it to its document. The baseline
 * is raw ts-mls carrying a payload of the same size: createApplicationMessage, then
 * processPrivateMessage on the other member.
 */
export async function benchPipeline(quick: boolean): Promise<void> {
  const ops = quick ? 20 : 200;
  const rounds = quick ? 3 : 5;
  const cs = await loadCiphersuite();
  const kith = await kithPair(cs);
  const raw = await rawPair(cs);
  const workloads: [string, (n: number) => Uint8Array][] = [
    ['short text', (n) => chatMessage(n)],
    ['4 KiB text', (n) => chatMessage(n, `${'lorem ipsum dolor sit amet '.repeat(152)}${n}`)],
  ];
  for (const [name, content] of workloads) {
    let n = 0;
    const payloadSize = kith.payloadSizeOf(content(0));
    const payload = webRandom.bytes(payloadSize);
    const kithRun = await measureAsync('write, encrypt / decrypt, receive', ops, rounds, () =>
      kith.send(content(n++)),
    );
    const rawRun = await measureAsync('ts-mls application message', ops, rounds, () =>
      raw.send(payload),
    );
    // The same with Node's Ed25519 installed, as @kith/node will (core's default is noble).
    useEd25519(nodeEd25519());
    const kithNode = await measureAsync('same, with Node Ed25519', ops, rounds, () =>
      kith.send(content(n++)),
    );
    useEd25519(undefined);
    report(`send and receive: ${name} (${payloadSize}-byte payload, 2 members)`, [
      [kithRun, rawRun],
      [kithNode, rawRun],
    ]);
    console.log(
      `messages per second: kith ${perSecond(kithRun.nsPerOp)}, with Node Ed25519 ${perSecond(kithNode.nsPerOp)}, ts-mls ${perSecond(rawRun.nsPerOp)}`,
    );
    const share = (100 * rawRun.nsPerOp) / kithRun.nsPerOp;
    goal(`${name}: throughput, share of raw ts-mls`, share, { atLeast: 60 }, '%');
    const shareNode = (100 * rawRun.nsPerOp) / kithNode.nsPerOp;
    goal(`${name}, Node Ed25519: share of raw ts-mls`, shareNode, { atLeast: 60 }, '%');
  }
}

interface KithPair {
  /** The application payload a message of these bytes travels in, for the baseline's size. */
  payloadSizeOf(content: Uint8Array): number;
  send(content: Uint8Array): Promise<void>;
}

async function kithPair(cs: CiphersuiteImpl): Promise<KithPair> {
  const options = kithOptions(cs);
  const [a, b]: BenchDevice[] = [await kithDevice(cs), await kithDevice(cs)];
  if (a === undefined || b === undefined) throw new Error('two devices');
  const room = newRoomState({ kind: 'group', creator: a.identity.userId, name: 'bench' });
  const A = await ConversationGroup.create(
    webRandom.bytes(32),
    a.kp.publicPackage,
    a.kp.privatePackage,
    room,
    options,
  );
  const invited = await A.commit(
    [addProposal(b.kp.publicPackage)],
    withParticipant(A.room, b.identity.userId, Roles.member),
  );
  if (!invited.ok) throw new Error(invited.refusal.message);
  const B = await ConversationGroup.join(
    welcomeOf(invited.welcome),
    b.kp.publicPackage,
    b.kp.privatePackage,
    options,
  );
  if (B === undefined) throw new Error('B could not join');
  // The client's own view of the control plane, from the group's epochs.
  const historyOf = (group: ConversationGroup): ControlHistory => {
    const history = new ControlHistory();
    history.record(group.chain);
    return history;
  };
  const docOf = (group: ConversationGroup, device: BenchDevice): ConversationDoc =>
    new ConversationDoc({
      room: group.groupId,
      device: device.identity.keyPair,
      controlPlane: historyOf(group),
      deviceIdOf: deviceIdFromPublicKey,
    });
  const docA = docOf(A, a);
  const docB = docOf(B, b);
  let now = 1_700_000_000_000;
  const write = (content: Uint8Array): Uint8Array => {
    const signed = docA.write(content, now++);
    const encoded = docA.encodedOwnUpdates(signed.seq)[0];
    if (encoded === undefined) throw new Error('the update just written is missing');
    return encodeAppPayload({ type: 'updates', updates: [encoded], authors: [] });
  };
  return {
    payloadSizeOf(content) {
      // Measured on a throwaway document: the real ones stay in step with each other.
      const scratch = docOf(A, a);
      const signed = scratch.write(content, now);
      const encoded = scratch.encodedOwnUpdates(signed.seq)[0] ?? new Uint8Array();
      return encodeAppPayload({ type: 'updates', updates: [encoded], authors: [] }).length;
    },
    async send(content) {
      const ciphertext = await A.encrypt(write(content));
      const outcome = await B.receive(ciphertext);
      if (outcome.kind !== 'application') throw new Error(`got ${outcome.kind}`);
      for (const update of decodeAppPayload(outcome.plaintext).updates) {
        const verdict = docB.receive(update);
        if (verdict.verdict !== 'accepted') throw new Error(`update ${verdict.verdict}`);
      }
    },
  };
}

async function rawPair(cs: CiphersuiteImpl): Promise<{ send(payload: Uint8Array): Promise<void> }> {
  const [a, b] = [await rawKeyPackage(cs, 'a'), await rawKeyPackage(cs, 'b')];
  let A: ClientState = await createGroup(
    webRandom.bytes(32),
    a.publicPackage,
    a.privatePackage,
    [],
    cs,
  );
  const invited = await createCommit(
    { state: A, cipherSuite: cs },
    { extraProposals: [addProposal(b.publicPackage)], ratchetTreeExtension: true },
  );
  A = invited.newState;
  let B = await joinGroup(
    requireWelcome(invited.welcome),
    b.publicPackage,
    b.privatePackage,
    emptyPskIndex,
    cs,
  );
  return {
    async send(payload) {
      const sent = await createApplicationMessage(A, payload, cs);
      A = sent.newState;
      const received = await rawProcess(B, encodePrivate(sent.privateMessage), cs);
      B = received.state;
      if (received.message?.length !== payload.length) throw new Error('payload lost');
    },
  };
}

function perSecond(nsPerOp: number): string {
  return (1e9 / nsPerOp).toFixed(0);
}
