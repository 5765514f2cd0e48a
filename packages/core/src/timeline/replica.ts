import * as Y from 'yjs';
import { decodeContent } from '../content/codec.ts';
import type { MessageId } from '../content/message-id.ts';
import { bytesEqual, toHex } from '../crypto/bytes.ts';
import type { DeviceId, RoomId } from '../ids.ts';
import {
  AuthorChain,
  type ForkEvidence,
  type LogItemId,
  type PendingUpdate,
} from './author-chain.ts';
import type { ControlPlaneView } from './control-plane.ts';
import { TimelineEntry } from './entry.ts';
import { decodeEnvelope } from './envelope.ts';
import { TimelineLimits } from './limits.ts';
import { TimelineReducer } from './reduce.ts';
import {
  decodeSignedUpdate,
  encodeSignedUpdate,
  MAX_SIGNED_UPDATE_BYTES,
  signedUpdateHash,
  verifySignedUpdate,
  type SignedUpdate,
} from './signed-update.ts';
import type { SnapshotState } from './snapshot.ts';
import { checkPrev, judgeLink, precheck } from './validate-update.ts';
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
  readonly controlPlane: ControlPlaneView;
  readonly #deviceIdOf: (devicePublicKey: Uint8Array) => DeviceId;
  /** The highest lamport of any accepted entry: the next local entry goes one above. */
  maxLamport = 0;

  constructor(
    room: Uint8Array,
    controlPlane: ControlPlaneView,
    deviceIdOf: (devicePublicKey: Uint8Array) => DeviceId,
  ) {
    this.room = room;
    this.roomId = toHex(room) as RoomId;
    this.controlPlane = controlPlane;
    this.#deviceIdOf = deviceIdOf;
    this.reducer = new TimelineReducer((user, action, epoch) =>
      controlPlane.can(user, action, epoch),
    );
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
      encoded = Uint8Array.from(input);
    } else {
      u = input;
    }
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
  #link(chain: AuthorChain, p: PendingUpdate): UpdateVerdict {
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
    const decision = judgeLink(u, chain, this.doc, this.controlPlane);
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
    this.addEntries(chain, u.epoch, decision.check.entries);
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

  /**
   * Hands accepted entries to the reducer. Where the Yjs item is known, the content bytes are
   * swapped for a view into the Y.Doc's own copy, so each is kept once.
   */
  addEntries(chain: AuthorChain, epoch: bigint, entries: readonly CheckedEntry[]): void {
    const user = this.controlPlane.userOf(chain.author);
    if (user === undefined) return;
    for (const e of entries) {
      let contentBytes = e.envelope.content;
      const stored = e.item === undefined ? undefined : this.#storedBytes(e.item);
      if (stored !== undefined) contentBytes = stored.subarray(stored.length - contentBytes.length);
      this.reducer.add(
        new TimelineEntry(
          {
            authorHex: chain.hex,
            deviceId: chain.deviceId,
            seq: e.envelope.seq,
            position: e.position,
            lamport: e.envelope.lamport,
            ts: e.envelope.ts,
            epoch,
            contentBytes,
            content: e.content,
            messageId: e.messageId,
          },
          user,
          this.roomId,
        ),
      );
    }
  }

  /**
   * Re-reads an author's entries from the Y.Doc after a restore. `ids` are the entries'
   * message IDs by log position (32 bytes each) as the snapshot kept them.
   */
  #reload(chain: AuthorChain, ids: Uint8Array): void {
    const raw = this.doc.getArray(chain.logRoot).toArray();
    const entries: CheckedEntry[] = [];
    let epoch: bigint | undefined;
    const flush = (): void => {
      if (epoch !== undefined) this.addEntries(chain, epoch, entries.splice(0));
    };
    raw.forEach((value, position) => {
      const envelope = decodeEnvelope(logValueBytes(value) ?? new Uint8Array());
      if (chain.forkedAt !== undefined && envelope.seq >= chain.forkedAt) return;
      const linkEpoch = chain.links[envelope.seq]?.epoch ?? 0n;
      if (linkEpoch !== epoch) flush();
      epoch = linkEpoch;
      const id = ids.subarray(position * 32, position * 32 + 32);
      entries.push({
        envelope,
        content: decodeContent(envelope.content),
        position,
        messageId: id[0] === 1 ? (id as MessageId) : undefined,
      });
    });
    flush();
  }

  snapshotState(device: Uint8Array): SnapshotState {
    const chains = [...this.chains.values()];
    return {
      room: this.room,
      device,
      yjs: Y.encodeStateAsUpdate(this.doc),
      authors: chains.map((c) => ({
        author: c.author,
        links: c.links,
        lastLogItem: c.lastLogItem,
        lastLamport: c.lastLamport,
        messageIds: this.reducer.messageIdsOf(c.hex, this.doc.getArray(c.logRoot).length),
      })),
      evidence: chains.flatMap((c) => c.evidence),
    };
  }

  /** Loads a snapshot into this (new, empty) replica. */
  restore(s: SnapshotState): void {
    Y.applyUpdate(this.doc, s.yjs, REMOTE);
    for (const a of s.authors) {
      const chain = this.chainFor(a.author);
      chain.links.push(...a.links);
      chain.lastLogItem = a.lastLogItem;
      chain.lastLamport = a.lastLamport;
      this.maxLamport = Math.max(this.maxLamport, a.lastLamport);
    }
    for (const e of s.evidence) this.chainFor(e.author).recordFork(e);
    for (const a of s.authors) this.#reload(this.chainFor(a.author), a.messageIds);
    this.reducer.flush();
  }

  /** The envelope bytes the Y.Doc holds in a log item (binary search in the struct store). */
  #storedBytes(id: LogItemId): Uint8Array | undefined {
    const structs = this.doc.store.clients.get(id.client);
    if (structs === undefined || id.clock >= Y.getState(this.doc.store, id.client))
      return undefined;
    const item = structs[Y.findIndexSS(structs, id.clock)];
    return item instanceof Y.Item && item.content instanceof Y.ContentAny
      ? logValueBytes(item.content.arr[id.clock - item.id.clock])
      : undefined;
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
