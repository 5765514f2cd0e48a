import * as Y from 'yjs';
import { bytesEqual, toHex } from '../crypto/bytes.ts';
import type { DeviceId, RoomId } from '../ids.ts';
import { AuthorChain, type ForkEvidence, type PendingUpdate } from './author-chain.ts';
import type { ControlPlaneView } from './control-plane.ts';
import { BodyKeeper, sidecarOf } from './body-keeper.ts';
import type { BodyTable, StoredBody } from './bodies.ts';
import { messageKey } from './entry.ts';
import { decodeEnvelope } from './envelope.ts';
import { TimelineLimits } from './limits.ts';
import { TimelineReducer } from './reduce.ts';
import {
  decodeSignedUpdate,
  encodeSignedUpdate,
  MAX_SIGNED_UPDATE_BYTES,
  signedUpdateHash,
  verifySignedUpdate,
  withBodies,
  type SignedUpdate,
} from './signed-update.ts';
import type { SnapshotState } from './snapshot.ts';
import type { TimelineChange } from './timeline-message.ts';
import { checkPrev, judgeLink, precheck } from './validate-update.ts';
import { coveringCut, firstCutLink } from './cut-rules.ts';
import type { TimelineAction } from './control-plane.ts';
import type { TimelineEntry } from './entry.ts';
import { rejected, type UpdateVerdict } from './verdict.ts';
import { logValueBytes, type CheckedEntry } from './yjs-check.ts';

/** Transaction origin of updates applied from other members (and of restored state). */
const REMOTE = Symbol('kith/timeline/remote');

/**
 * The replicated state of one room on one device, and the receive pipeline that changes it:
 * the Y.Doc, every author's chain and the reducer. `ConversationDoc` wraps it with the local
 * device's writes and the public API.
 */
export class Replica {
  readonly room: Uint8Array;
  readonly roomId: RoomId;
  readonly doc = new Y.Doc();
  readonly chains = new Map<string, AuthorChain>();
  readonly reducer: TimelineReducer;
  /** Message bodies beside the Y.Doc, and the purges (bodies.ts). */
  readonly bodies: BodyKeeper;
  readonly controlPlane: ControlPlaneView;
  readonly #deviceIdOf: (devicePublicKey: Uint8Array) => DeviceId;
  readonly #now: (() => number) | undefined;
  /** The highest lamport of any accepted entry: the next local entry goes one above. */
  maxLamport = 0;
  /** How many cuts of each author `applyCuts` has applied. */
  readonly #cutsSeen = new Map<string, number>();

  constructor(
    room: Uint8Array,
    controlPlane: ControlPlaneView,
    deviceIdOf: (devicePublicKey: Uint8Array) => DeviceId,
    now?: () => number,
    table?: BodyTable,
  ) {
    this.room = room;
    this.roomId = toHex(room) as RoomId;
    this.controlPlane = controlPlane;
    this.#deviceIdOf = deviceIdOf;
    this.#now = now;
    this.reducer = new TimelineReducer((entry, action) => this.#may(entry, action));
    this.bodies = new BodyKeeper(
      this.reducer,
      this.roomId,
      now,
      (epoch) => controlPlane.disappearAfterMs?.(epoch),
      table,
    );
  }

  /**
   * Applies cuts that came after the updates they refuse (the removing commit arrived late):
   * those updates are refused from the first one on, on every member alike, and every message
   * is judged again (a cut can also take a moderator's power away).
   */
  applyCuts(): void {
    const cp = this.controlPlane;
    if (cp.cutsOf === undefined) return;
    let changed = false;
    for (const chain of this.chains.values()) {
      const cuts = cp.cutsOf(chain.hex);
      if (cuts.length === (this.#cutsSeen.get(chain.hex) ?? 0)) continue;
      this.#cutsSeen.set(chain.hex, cuts.length);
      changed = true;
      const bad = firstCutLink(cuts, chain.links);
      if (bad === undefined) continue;
      // Unlinked, as if refused on arrival (as members who got the cut first did): the chains
      // of all members stay the same. Its Yjs items stay in the document, never shown.
      chain.links.length = bad;
      chain.bodyRefs.length = Math.min(chain.bodyRefs.length, bad);
      this.reducer.hideFrom(chain.hex, bad);
    }
    if (changed) this.reducer.rejudge();
  }

  /**
   * Whether an entry's author may do `action`. Taking down others' messages is judged by the
   * cut the entry came before (the role its user had then), else by the role now: every role
   * change cuts its user's devices, so the epoch an entry names never decides.
   */
  #may(entry: TimelineEntry, action: TimelineAction): boolean {
    const cp = this.controlPlane;
    if (action !== 'retractAny' || cp.cutsOf === undefined) {
      return cp.can(entry.user, action, entry.epoch);
    }
    const cut = coveringCut(cp.cutsOf(entry.authorHex), entry.seq);
    return cut !== undefined ? cut.retractAny : cp.can(entry.user, action, cp.currentEpoch());
  }

  /** An empty replica of the same room, sharing this one's bodies (see rejudge.ts). */
  emptyTwin(): Replica {
    return new Replica(
      this.room,
      this.controlPlane,
      this.#deviceIdOf,
      this.#now,
      this.bodies.table,
    );
  }

  /**
   * Links again an update this replica linked once (rejudge.ts): its signature is not checked
   * again, the rest is judged as on arrival; `trusted` (this device's own) is taken as a
   * member's, since a device never refuses what it wrote itself.
   */
  relink(chain: AuthorChain, p: PendingUpdate, trusted: boolean): UpdateVerdict {
    const cp = this.controlPlane;
    const member: ControlPlaneView = {
      isMember: () => true,
      userOf: (key) => cp.userOf(key),
      can: (user, action, epoch) => cp.can(user, action, epoch),
      currentEpoch: () => cp.currentEpoch(),
    };
    return this.#link(chain, p, trusted ? member : cp);
  }

  /** The reducer's changes since the last call; bodies of what was retracted are purged. */
  settle(): TimelineChange[] {
    const changes = this.reducer.flush();
    this.bodies.purgeRetracted();
    return changes;
  }

  /** An update's encoding with the bodies of its entries this device still holds. */
  attachBodies(chain: AuthorChain, seq: number, encoded: Uint8Array): Uint8Array {
    const refs = chain.bodyRefs[seq];
    const user = this.controlPlane.userOf(chain.author);
    if (refs === undefined || refs.length === 0 || user === undefined) return encoded;
    const bodies: Uint8Array[] = [];
    for (const h of refs) {
      // Only the author's own bodies: an entry naming another's message ID does not carry it.
      const body = this.bodies.bodyOf(messageKey(h), user);
      if (body !== undefined) bodies.push(body);
    }
    return withBodies(encoded, bodies);
  }

  receive(input: SignedUpdate | Uint8Array): UpdateVerdict {
    let u: SignedUpdate;
    let encoded: Uint8Array | undefined;
    if (input instanceof Uint8Array) {
      if (input.length > MAX_SIGNED_UPDATE_BYTES)
        return rejected('too-large', `${input.length} bytes`);
      try {
        u = decodeSignedUpdate(input);
      } catch (error) {
        return rejected('malformed', error instanceof Error ? error.message : 'undecodable');
      }
      // Chains hold and hash the 8-field form; the bodies are kept apart.
      if (u.bodies === undefined) encoded = Uint8Array.from(input);
    } else {
      u = input;
    }
    const verdict = this.#judge(u, encoded);
    // Bodies for entries accepted earlier without them (the sender held them back, or purged).
    if (verdict.verdict !== 'accepted' && Array.isArray(u.bodies) && u.bodies.length > 0) {
      const user = this.controlPlane.userOf(u.author);
      const sidecar = sidecarOf(u.bodies, user, this.roomId);
      this.bodies.offer(sidecar, user);
      if (verdict.verdict === 'pending') this.bodies.keep(sidecar, user);
    }
    return verdict;
  }

  #judge(u: SignedUpdate, given: Uint8Array | undefined): UpdateVerdict {
    let encoded = given;
    const refusal = precheck(u, this.room);
    if (refusal !== undefined) return rejected(refusal.reason, refusal.detail);
    encoded ??= encodeSignedUpdate(u);
    const hash = signedUpdateHash(encoded);
    const known = this.chains.get(toHex(u.author));
    if (known?.place(u, hash).kind === 'duplicate') return { verdict: 'duplicate' };
    if (!verifySignedUpdate(u)) return rejected('bad-signature', 'signature does not verify');
    // A stranger's update creates no state at all (its verdict would be the same later).
    const cp = this.controlPlane;
    if (
      known === undefined &&
      cp.knowsEpoch?.(u.epoch) !== false &&
      !cp.isMember(u.author, u.epoch)
    ) {
      return rejected('not-member', `not a member in epoch ${u.epoch}`);
    }
    const chain = known ?? this.chainFor(u.author);
    const placement = chain.place(u, hash);
    switch (placement.kind) {
      case 'duplicate':
        return { verdict: 'duplicate' };
      case 'forked':
        return rejected('author-forked', `author forked at seq ${chain.forkedAt ?? 0}`);
      case 'equivocation':
        this.#fork(chain, 'equivocation', u.seq, chain.linkUpdate(u.seq), u);
        return rejected('equivocation', `two updates with seq ${u.seq}`);
      case 'gap':
        if (
          chain.pendingCount >= TimelineLimits.maxPendingPerAuthor ||
          this.#pendingTotal() >= TimelineLimits.maxPendingTotal
        ) {
          return rejected('pending-overflow', 'too many updates waiting for predecessors');
        }
        chain.addPending({ update: u, encoded, hash });
        return { verdict: 'pending' };
      case 'next': {
        const verdict = this.#link(chain, { update: u, encoded, hash });
        this.drain(chain);
        return verdict;
      }
    }
  }

  /** Judges the update that extends `chain`, and links and applies it as the verdict says. */
  #link(
    chain: AuthorChain,
    p: PendingUpdate,
    controlPlane: ControlPlaneView = this.controlPlane,
  ): UpdateVerdict {
    const u = p.update;
    const prev = checkPrev(u, chain);
    if (prev === 'fork') {
      this.#fork(chain, 'broken-link', u.seq - 1, chain.linkUpdate(u.seq - 1), u);
      return rejected(
        'chain-mismatch',
        `prev of seq ${u.seq} is not the author's seq ${u.seq - 1}`,
      );
    }
    if (prev !== 'ok') return rejected(prev.reason, prev.detail);
    const decision = judgeLink(u, p.hash, chain, this.doc, controlPlane);
    if (decision.kind === 'wait') {
      chain.addPending(p);
      return { verdict: 'pending' };
    }
    const link = {
      seq: u.seq,
      hash: p.hash,
      encoded: p.encoded,
      epoch: u.epoch,
      generation: u.generation,
    };
    if (decision.kind === 'refused') {
      if (decision.linked) chain.links.push({ ...link, accepted: false });
      return rejected(decision.reason, decision.detail);
    }
    Y.applyUpdate(this.doc, u.update, REMOTE);
    chain.links.push({ ...link, accepted: true });
    chain.lastLogItem = decision.check.lastLogItem;
    chain.lastLamport = decision.check.lastLamport;
    this.maxLamport = Math.max(this.maxLamport, chain.lastLamport);
    const entries = decision.check.entries;
    chain.bodyRefs[u.seq] = entries.map((e) => e.envelope.messageId);
    const user = this.controlPlane.userOf(u.author);
    this.addEntries(chain, u.epoch, entries, sidecarOf(u.bodies, user, this.roomId));
    return { verdict: 'accepted' };
  }

  /** Links the author's waiting updates that now follow its chain. */
  drain(chain: AuthorChain): void {
    for (;;) {
      const seq = chain.links.length;
      const waiting = chain.pending.get(seq);
      if (waiting === undefined) return;
      chain.pending.delete(seq);
      for (const p of waiting) {
        const head = chain.links[seq];
        if (head === undefined) {
          if (chain.forkedAt === undefined || seq < chain.forkedAt) this.#link(chain, p);
        } else if (
          !bytesEqual(head.hash, p.hash) &&
          (chain.forkedAt === undefined || seq < chain.forkedAt)
        ) {
          this.#fork(chain, 'equivocation', seq, chain.linkUpdate(seq), p.update);
        }
      }
      // Still nothing at `seq` (refused outright, or waiting for its epoch): stop here.
      if (chain.links.length === seq) return;
    }
  }

  #fork(
    chain: AuthorChain,
    kind: ForkEvidence['kind'],
    seq: number,
    first: SignedUpdate,
    second: SignedUpdate,
  ): void {
    chain.recordFork({ kind, author: chain.author, seq, first, second });
    this.reducer.hideFrom(chain.hex, chain.forkedAt ?? seq);
  }

  /** Hands accepted entries to the reducer, each once its body is there (body-keeper.ts). */
  addEntries(
    chain: AuthorChain,
    epoch: bigint,
    entries: readonly CheckedEntry[],
    sidecar?: ReadonlyMap<string, Uint8Array>,
  ): void {
    const user = this.controlPlane.userOf(chain.author);
    if (user === undefined) return;
    for (const e of entries) this.bodies.admit(chain, user, epoch, e, sidecar);
  }

  /** Re-reads an author's entries from the Y.Doc after a restore. */
  #reload(chain: AuthorChain): void {
    const raw = this.doc.getArray(chain.logRoot).toArray();
    const entries: CheckedEntry[] = [];
    let epoch: bigint | undefined;
    const flush = (): void => {
      if (epoch !== undefined) this.addEntries(chain, epoch, entries.splice(0));
    };
    raw.forEach((value, position) => {
      const envelope = decodeEnvelope(logValueBytes(value) ?? new Uint8Array());
      // Applied, then unlinked by a cut that came later (`applyCuts`).
      if (envelope.seq >= chain.links.length) return;
      (chain.bodyRefs[envelope.seq] ??= []).push(envelope.messageId);
      if (chain.forkedAt !== undefined && envelope.seq >= chain.forkedAt) return;
      const linkEpoch = chain.links[envelope.seq]?.epoch ?? 0n;
      if (linkEpoch !== epoch) flush();
      epoch = linkEpoch;
      entries.push({ envelope, position });
    });
    flush();
  }

  /** The state to snapshot; with `withBodies`, the bodies held too (in log order). */
  snapshotState(device: Uint8Array, withBodies = true): SnapshotState {
    const chains = [...this.chains.values()];
    const bodies: StoredBody[] = [];
    if (withBodies) {
      const table = this.bodies.table;
      for (const c of chains) {
        for (const refs of c.bodyRefs) {
          for (const id of refs ?? []) {
            const row = table.row(messageKey(id));
            if (row !== undefined) bodies.push(row);
          }
        }
      }
    }
    return {
      bodies,
      expired: this.bodies.table.expiredIds(),
      room: this.room,
      device,
      yjs: Y.encodeStateAsUpdate(this.doc),
      authors: chains.map((c) => ({
        author: c.author,
        links: c.links,
        lastLogItem: c.lastLogItem,
        lastLamport: c.lastLamport,
      })),
      evidence: chains.flatMap((c) => c.evidence),
    };
  }

  /** Loads a snapshot into this (new, empty) replica. */
  restore(s: SnapshotState): void {
    this.bodies.table.load({ bodies: s.bodies, expired: s.expired });
    Y.applyUpdate(this.doc, s.yjs, REMOTE);
    for (const a of s.authors) {
      const chain = this.chainFor(a.author);
      chain.links.push(...a.links);
      chain.lastLogItem = a.lastLogItem;
      chain.lastLamport = a.lastLamport;
      this.maxLamport = Math.max(this.maxLamport, a.lastLamport);
    }
    for (const e of s.evidence) this.chainFor(e.author).recordFork(e);
    for (const a of s.authors) this.#reload(this.chainFor(a.author));
    this.applyCuts();
    this.settle();
  }

  chainFor(author: Uint8Array): AuthorChain {
    const hex = toHex(author);
    let chain = this.chains.get(hex);
    if (chain === undefined) {
      chain = new AuthorChain(Uint8Array.from(author), this.room, this.#deviceIdOf(author));
      // Typed roots first: an update naming a root would otherwise create an untyped one.
      this.doc.getArray(chain.logRoot);
      this.doc.getMap(chain.metaRoot);
      this.chains.set(hex, chain);
    }
    return chain;
  }

  #pendingTotal(): number {
    let n = 0;
    for (const c of this.chains.values()) n += c.pendingCount;
    return n;
  }
}
