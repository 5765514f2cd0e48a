import {
  createApplicationMessage,
  createCommit,
  createGroup,
  emptyPskIndex,
  getCiphersuiteFromName,
  getCiphersuiteImpl,
  joinGroup,
} from 'ts-mls';
import type { CiphersuiteImpl, ClientState } from 'ts-mls';
import {
  ControlHistory,
  ConversationDoc,
  ConversationGroup,
  decodeAppPayload,
  deviceIdFromPublicKey,
  encodeAppPayload,
  KITH_CIPHERSUITE,
  newRoomState,
  preverifySignedUpdates,
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

/**
 * Raw ts-mls's own implementation of Kith's ciphersuite (WebCrypto for hashing and key
 * derivation), for the baselines: Kith's `loadCiphersuite` derives keys in JavaScript.
 */
export function rawCiphersuite(): Promise<CiphersuiteImpl> {
  return getCiphersuiteImpl(getCiphersuiteFromName(KITH_CIPHERSUITE));
}

/**
 * The two sides of the pipeline benchmark, shared by Node's and the browser's: two members of
 * a Kith room (document, group), and two members of a raw ts-mls group. No Node APIs here.
 */
export interface KithPair {
  /** The application payload a message of these bytes travels in, for the baseline's size. */
  payloadSizeOf(content: Uint8Array): number;
  send(content: Uint8Array): Promise<void>;
  /** Each phase's time (in `now()`'s unit) added to `phases`, for a breakdown. */
  sendTimed(content: Uint8Array, phases: Phases, now: () => number): Promise<void>;
}

/** Time per phase of a message's way, summed over messages. */
export type Phases = Record<'write' | 'encrypt' | 'decrypt' | 'preverify' | 'judge', number>;

export async function kithPair(cs: CiphersuiteImpl): Promise<KithPair> {
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
      const { updates } = decodeAppPayload(outcome.plaintext);
      // As the client does: with an asynchronous Ed25519 (WebCrypto), the batch verified first.
      await preverifySignedUpdates(updates);
      for (const update of updates) {
        const verdict = docB.receive(update);
        if (verdict.verdict !== 'accepted') throw new Error(`update ${verdict.verdict}`);
      }
    },
    async sendTimed(content, phases, now) {
      let t = now();
      const lap = (phase: keyof Phases): void => {
        const next = now();
        phases[phase] += next - t;
        t = next;
      };
      const payload = write(content);
      lap('write');
      const ciphertext = await A.encrypt(payload);
      lap('encrypt');
      const outcome = await B.receive(ciphertext);
      if (outcome.kind !== 'application') throw new Error(`got ${outcome.kind}`);
      const { updates } = decodeAppPayload(outcome.plaintext);
      lap('decrypt');
      await preverifySignedUpdates(updates);
      lap('preverify');
      for (const update of updates) {
        const verdict = docB.receive(update);
        if (verdict.verdict !== 'accepted') throw new Error(`update ${verdict.verdict}`);
      }
      lap('judge');
    },
  };
}

export async function rawPair(
  cs: CiphersuiteImpl,
): Promise<{ send(payload: Uint8Array): Promise<void> }> {
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

export function perSecond(nsPerOp: number): string {
  return (1e9 / nsPerOp).toFixed(0);
}
