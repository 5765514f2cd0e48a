import {
  createApplicationMessage,
  createCommit,
  createGroup,
  createGroupInfoWithExternalPubAndRatchetTree,
  createProposal,
  joinGroupExternal,
  emptyPskIndex,
  encodeMlsMessage,
  joinGroupWithExtensions,
  type CiphersuiteImpl,
  type ClientConfig,
  type KeyPackage,
  type PrivateKeyPackage,
  type PublicMessage,
  type Proposal,
  type ProposalWithSender,
  type Welcome,
} from 'ts-mls';
import { bytesEqual } from '../crypto/bytes.ts';
import { refuse } from '../room/refusal.ts';
import { withCuts, type TimelineHeads } from '../room/cuts.ts';
import type { RoomState } from '../room/room-state.ts';
import { checkCommit, roomStateOf } from './commit-policy.ts';
import { decodeAad, encodeAad, epochIdOf, epochIdOfContext, type EpochRecord } from './epoch.ts';
import { deviceOfKeyPackage, memberDevices, ownLeafIndex, type MemberDevice } from './leaves.ts';
import type { CommitResult, ReceiveOutcome } from './outcomes.ts';
import { PendingMessages } from './pending.ts';
import { EpochChain } from './epoch-chain.ts';
import { ratchetTreeFromExtension } from 'ts-mls/groupInfo.js';
import {
  applyExternalCommit,
  applyPrivateCommit,
  receiveCommit,
  receiveData,
} from './receive-steps.ts';
import {
  decodeMessage,
  describe,
  firstRecord,
  rejected,
  roomExtension,
  withRoom,
} from './group-helpers.ts';

/** What a group needs: the ciphersuite and ts-mls config, and how much it keeps. */
export interface GroupOptions {
  readonly cs: CiphersuiteImpl;
  readonly config: ClientConfig;
  /** Epochs kept for fork resolution and for replaying to members who missed them. */
  readonly retainEpochs?: number;
  readonly pendingLimit?: number;
  /**
   * Application messages this device sends in one epoch before it commits to start a new one
   * (default: 80% of the configured maximum forward ratchet steps). See `ratchet-wear.ts`.
   */
  readonly rotateAfterMessages?: number;
}

const DEFAULT_RETAIN = 16;

/**
 * One conversation's MLS group, without a central orderer (see docs/ARCHITECTURE.md, "MLS
 * without a central orderer"). It keeps a short chain of epochs; when two branches of one epoch
 * meet, fork choice (fork-choice.ts: authority first, a hash only between equals) picks the
 * same one everywhere, and a device that followed the loser rolls back to the stored fork epoch
 * and follows the winner. No IO: bytes in, outcomes out.
 */
export class ConversationGroup {
  readonly #cs: CiphersuiteImpl;
  readonly #chain: EpochChain;
  readonly #pending: PendingMessages;

  private constructor(chain: EpochRecord[], options: GroupOptions) {
    this.#cs = options.cs;
    this.#chain = new EpochChain(chain, options.retainEpochs ?? DEFAULT_RETAIN);
    this.#pending = new PendingMessages(options.pendingLimit ?? 4096);
  }

  /** Creates a new group with this device as its only member and `room` as its state. */
  static async create(
    groupId: Uint8Array,
    keyPackage: KeyPackage,
    privateKeys: PrivateKeyPackage,
    room: RoomState,
    options: GroupOptions,
  ): Promise<ConversationGroup> {
    const state = await createGroup(
      groupId,
      keyPackage,
      privateKeys,
      [roomExtension(room)],
      options.cs,
      options.config,
    );
    return new ConversationGroup([firstRecord(state, room)], options);
  }

  /** Joins from a Welcome; undefined when the group carries no valid Kith room state. */
  static async join(
    welcome: Welcome,
    keyPackage: KeyPackage,
    privateKeys: PrivateKeyPackage,
    options: GroupOptions,
  ): Promise<ConversationGroup | undefined> {
    const [state] = await joinGroupWithExtensions(
      welcome,
      keyPackage,
      privateKeys,
      emptyPskIndex,
      options.cs,
      undefined,
      undefined,
      options.config,
    );
    const room = roomStateOf(state.groupContext.extensions);
    if (room === undefined) return undefined;
    return new ConversationGroup([firstRecord(state, room)], options);
  }

  /**
   * Comes back into a group this device fell too far behind in (or never reached), from a
   * GroupInfo a member sent: an external commit that replaces the device's old leaf. The commit
   * must be published; members check it like any other (`checkExternalCommit`).
   */
  static async rejoin(
    groupInfoBytes: Uint8Array,
    keyPackage: KeyPackage,
    privateKeys: PrivateKeyPackage,
    options: GroupOptions,
  ): Promise<{ group: ConversationGroup; commit: Uint8Array } | string> {
    const message = decodeMessage(groupInfoBytes);
    if (message?.wireformat !== 'mls_group_info') return 'not a GroupInfo';
    const info = message.groupInfo;
    const room = roomStateOf(info.groupContext.extensions);
    if (room === undefined) return 'a GroupInfo without a Kith room state';
    const tree = ratchetTreeFromExtension(info);
    if (tree === undefined) return 'a GroupInfo without its ratchet tree';
    // Resync (replace the old leaf) only when this device has one: ts-mls 1.6.4 loops forever
    // when asked to resync a device that is not in the tree.
    const key = keyPackage.leafNode.signaturePublicKey;
    const resync = tree.some(
      (n) => n?.nodeType === 'leaf' && bytesEqual(n.leaf.signaturePublicKey, key),
    );
    try {
      const { publicMessage, newState } = await joinGroupExternal(
        info,
        keyPackage,
        privateKeys,
        resync,
        options.cs,
        undefined,
        options.config,
        encodeAad('commit', epochIdOfContext(info.groupContext)),
      );
      const commit = encodeMlsMessage({
        version: 'mls10',
        wireformat: 'mls_public_message',
        publicMessage,
      });
      const self = deviceOfKeyPackage(keyPackage);
      const committer = self && { user: self.userId, device: self.deviceId, external: true };
      const record: EpochRecord = {
        ...firstRecord(newState, room),
        ...{ commit, committedByMe: true, committer },
      };
      return { group: new ConversationGroup([record], options), commit };
    } catch (error) {
      return describe(error);
    }
  }

  /** A signed GroupInfo of the current epoch, with the tree and external key for a rejoin. */
  async groupInfo(): Promise<Uint8Array> {
    const info = await createGroupInfoWithExternalPubAndRatchetTree(this.head.state, [], this.#cs);
    return encodeMlsMessage({ version: 'mls10', wireformat: 'mls_group_info', groupInfo: info });
  }

  /** Rebuilds a group from records restored from storage (oldest first). */
  static restore(records: EpochRecord[], options: GroupOptions): ConversationGroup {
    if (records.length === 0) throw new Error('a group needs at least one epoch');
    return new ConversationGroup(records, options);
  }

  /** The newest epoch this device follows. */
  get head(): EpochRecord {
    return this.#chain.head;
  }

  /** The MLS group ID (the room ID's bytes). */
  get groupId(): Uint8Array {
    return this.head.state.groupContext.groupId;
  }

  /** The room state at the head epoch. */
  get room(): RoomState {
    return this.head.room;
  }

  /** The retained epochs, oldest first. */
  get chain(): readonly EpochRecord[] {
    return this.#chain.records;
  }

  /** False once this device was removed from the group. */
  get active(): boolean {
    return this.head.state.groupActiveState.kind === 'active';
  }

  /** Every member device at the head epoch, with its user and leaf. */
  members(): MemberDevice[] {
    return memberDevices(this.head.state);
  }

  /** This device as a member; undefined once it is no longer in the group. */
  self(): MemberDevice | undefined {
    const own = ownLeafIndex(this.head.state);
    return this.members().find((m) => m.leafIndex === own);
  }

  /** Proposals received in this epoch and not yet committed, with their senders. */
  pendingProposals(): ProposalWithSender[] {
    return Object.values(this.head.state.unappliedProposals);
  }

  /**
   * `room` (undefined: unchanged) with the cuts of the devices the commit removes (by
   * `proposals` or proposals waiting in this epoch) or whose user's role it changes, at their
   * chain heads in `heads` (room/cuts.ts); undefined when the commit changes no room state.
   */
  #withCuts(
    proposals: readonly Proposal[],
    room: RoomState | undefined,
    heads: TimelineHeads,
  ): RoomState | undefined {
    const head = this.head;
    const removed = new Set<number>();
    for (const p of [...proposals, ...this.pendingProposals().map((x) => x.proposal)]) {
      if (p.proposalType === 'remove') removed.add(p.remove.removed);
    }
    const before = memberDevices(head.state);
    const after = before.filter((d) => !removed.has(d.leafIndex));
    const epoch = head.state.groupContext.epoch + 1n;
    const cut = withCuts(head.room, room ?? head.room, before, after, epoch, heads);
    return cut === head.room ? undefined : cut;
  }

  /**
   * Commits `proposals` (plus any proposals received in this epoch), after running the same
   * check every member will run. A refusal changes nothing.
   */
  async commit(
    proposals: readonly Proposal[],
    room?: RoomState,
    heads: TimelineHeads = new Map(),
  ): Promise<CommitResult> {
    const head = this.head;
    if (!this.active) return { ok: false, refusal: refuse('NOT_A_MEMBER', 'not in this group') };
    const extra: Proposal[] = [...proposals];
    room = this.#withCuts(proposals, room, heads);
    if (room !== undefined) {
      extra.push({
        proposalType: 'group_context_extensions',
        groupContextExtensions: { extensions: withRoom(head.state, room) },
      });
    }
    const all = [
      ...this.pendingProposals(),
      ...extra.map((proposal) => ({ proposal, senderLeafIndex: undefined })),
    ];
    const verdict = checkCommit(head.state, head.room, ownLeafIndex(head.state), all);
    if (!verdict.ok) return verdict;
    const committer = this.self();
    if (committer === undefined) return { ok: false, refusal: refuse('NOT_A_MEMBER', 'no leaf') };
    let result: Awaited<ReturnType<typeof createCommit>>;
    try {
      result = await createCommit(
        { state: head.state, cipherSuite: this.#cs },
        {
          extraProposals: extra,
          authenticatedData: encodeAad('commit', head.epochId),
          ratchetTreeExtension: true,
        },
      );
    } catch (error) {
      // ts-mls refuses what MLS itself forbids (a key package lacking a capability, a stale
      // proposal): a refusal like any other, and nothing changed.
      return { ok: false, refusal: refuse('INVALID_CHANGE', describe(error)) };
    }
    const commit = encodeMlsMessage(result.commit);
    const record: EpochRecord = {
      epoch: result.newState.groupContext.epoch,
      epochId: epochIdOf(result.newState),
      state: result.newState,
      room: verdict.commit.room,
      commit,
      committedByMe: true,
      committer: { user: committer.userId, device: committer.deviceId, external: false },
    };
    this.#chain.append(record);
    const welcome =
      result.welcome === undefined
        ? undefined
        : encodeMlsMessage({
            version: 'mls10',
            wireformat: 'mls_welcome',
            welcome: result.welcome,
          });
    return { ok: true, commit, welcome, record, change: verdict.commit };
  }

  /** A proposal by reference (leaving is proposing the removal of one's own device). */
  async propose(proposal: Proposal): Promise<Uint8Array> {
    const head = this.head;
    const { newState, message } = await createProposal(
      head.state,
      false,
      proposal,
      this.#cs,
      encodeAad('proposal', head.epochId),
    );
    head.state = newState;
    return encodeMlsMessage(message);
  }

  /** Encrypts an application message in the head epoch (an encoded MLSMessage). */
  async encrypt(plaintext: Uint8Array): Promise<Uint8Array> {
    const head = this.head;
    const { newState, privateMessage } = await createApplicationMessage(
      head.state,
      plaintext,
      this.#cs,
      encodeAad('application', head.epochId),
    );
    head.state = newState;
    return encodeMlsMessage({
      version: 'mls10',
      wireformat: 'mls_private_message',
      privateMessage,
    });
  }

  /**
   * Handles one incoming group message (not a Welcome). After a commit, messages that were
   * held for the new epoch become available from `takeReleased()`; feed them back here.
   */
  async receive(bytes: Uint8Array): Promise<ReceiveOutcome> {
    const outcome = await this.#receiveOne(bytes);
    // A commit may have made an epoch held here, on the chain or on a branch beside it (whose
    // later commits may make it win).
    if (
      outcome.kind === 'commit' ||
      outcome.kind === 'fork-switched' ||
      outcome.kind === 'ignored'
    ) {
      this.#released.push(...this.#pending.takeKnown((id) => this.#chain.find(id) !== undefined));
    }
    return outcome;
  }

  readonly #released: Uint8Array[] = [];

  /** Held messages whose epoch this device has now reached. */
  takeReleased(): Uint8Array[] {
    return this.#released.splice(0);
  }

  /** Messages held for an epoch this device has not reached. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  async #receiveOne(bytes: Uint8Array): Promise<ReceiveOutcome> {
    const message = decodeMessage(bytes);
    if (message?.wireformat === 'mls_public_message')
      return this.#receiveExternal(bytes, message.publicMessage);
    if (message?.wireformat !== 'mls_private_message') {
      return rejected('malformed', 'not an MLS private or public message');
    }
    const pm = message.privateMessage;
    if (!bytesEqual(pm.groupId, this.groupId)) return { kind: 'ignored', reason: 'other-group' };
    const aad = decodeAad(pm.authenticatedData);
    if (aad === undefined) return rejected('malformed', 'no Kith authenticated data');
    const place = this.#chain.find(aad.epochId);
    if (place === undefined) return this.#unknownEpoch(aad.epochId, pm.epoch, bytes);
    if (place.record.epoch !== pm.epoch) {
      return rejected('malformed', 'the epoch number does not match the epoch ID');
    }
    if (aad.kind === 'commit') {
      return receiveCommit(this.#chain, bytes, place, false, (parent) =>
        applyPrivateCommit(parent, pm, this.#cs),
      );
    }
    // Data of a losing branch: its sender sends it again once on the chain followed here.
    if (place.on === 'side') return { kind: 'ignored', reason: 'abandoned-branch' };
    return receiveData(this.head, pm, aad.kind, this.#cs);
  }

  /** A PublicMessage: Kith sends only external commits (a device rejoining) this way. */
  async #receiveExternal(bytes: Uint8Array, pm: PublicMessage): Promise<ReceiveOutcome> {
    if (!bytesEqual(pm.content.groupId, this.groupId))
      return { kind: 'ignored', reason: 'other-group' };
    if (pm.content.sender.senderType !== 'new_member_commit') {
      return rejected('malformed', 'Kith sends only external commits in the clear');
    }
    const aad = decodeAad(pm.content.authenticatedData);
    if (aad?.kind !== 'commit') return rejected('malformed', 'no Kith authenticated data');
    const place = this.#chain.find(aad.epochId);
    if (place === undefined) return this.#unknownEpoch(aad.epochId, pm.content.epoch, bytes);
    if (place.record.epoch !== pm.content.epoch) {
      return rejected('malformed', 'the epoch number does not match the epoch ID');
    }
    return receiveCommit(this.#chain, bytes, place, true, (parent) =>
      applyExternalCommit(parent, pm, this.#cs),
    );
  }

  /**
   * A message for an epoch this device does not hold: held for a later one (its commit will
   * come), dropped for an abandoned branch or for an epoch no later than the oldest held, which
   * this device can never reach (it joined after it, or it was pruned).
   */
  #unknownEpoch(epochId: Uint8Array, epoch: bigint, bytes: Uint8Array): ReceiveOutcome {
    if (this.#chain.isAbandoned(epochId)) return { kind: 'ignored', reason: 'abandoned-branch' };
    const oldest = this.#chain.records[0]?.epoch ?? 0n;
    if (epoch <= oldest) return { kind: 'ignored', reason: 'before-history' };
    this.#pending.add(epochId, bytes);
    return { kind: 'pending' };
  }

  /** Commits after the latest of `known` on this chain, for a member catching up. */
  commitsAfter(known: readonly Uint8Array[]): Uint8Array[] | undefined {
    return this.#chain.commitsAfter(known);
  }
}
