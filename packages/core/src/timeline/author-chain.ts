import { bytesEqual, toHex } from '../crypto/bytes.ts';
import type { DeviceId } from '../ids.ts';
import { yjsClientId } from './client-id.ts';
import { decodeSignedUpdate, signedUpdateHash, type SignedUpdate } from './signed-update.ts';

/** One signed update in an author's chain, kept as received so it can be forwarded unchanged. */
export interface ChainLink {
  readonly seq: number;
  readonly hash: Uint8Array;
  readonly encoded: Uint8Array;
  readonly epoch: bigint;
  readonly generation: number;
  /**
   * False for an update that was validly signed and chained but refused (not a member, a bad
   * Yjs update...). It stays a link, so the author's later updates are not stuck behind it,
   * and is forwarded so that every member reaches the same verdict on it.
   */
  readonly accepted: boolean;
}

/** A signed update that arrived ahead of its predecessors (or of its epoch). */
export interface PendingUpdate {
  readonly update: SignedUpdate;
  readonly encoded: Uint8Array;
  readonly hash: Uint8Array;
}

/**
 * Proof that an author forked its chain, made of two updates it signed: two different updates
 * with the same seq (`equivocation`), or an update whose `prev` is not the hash of the author's
 * update before it (`broken-link`, `first` is that update). Any member can check it.
 */
export interface ForkEvidence {
  readonly kind: 'equivocation' | 'broken-link';
  readonly author: Uint8Array;
  /** The author is forked from this seq on. */
  readonly seq: number;
  readonly first: SignedUpdate;
  readonly second: SignedUpdate;
}

export interface LogItemId {
  readonly client: number;
  readonly clock: number;
}

/** Where a newly arrived update stands relative to what is known of its author. */
export type Placement =
  | { readonly kind: 'duplicate' }
  | { readonly kind: 'forked' }
  | { readonly kind: 'equivocation'; readonly first: ChainLink }
  | { readonly kind: 'gap' }
  | { readonly kind: 'next' };

/** Everything known about one author device in one room. */
export class AuthorChain {
  readonly author: Uint8Array;
  readonly hex: string;
  readonly deviceId: DeviceId;
  readonly links: ChainLink[] = [];
  readonly pending = new Map<number, PendingUpdate[]>();
  readonly evidence: ForkEvidence[] = [];
  /** The lowest seq from which the author is known to be forked. */
  forkedAt: number | undefined;
  /** The last item of the author's `log:` array: the only place a new entry may go after. */
  lastLogItem: LogItemId | null = null;
  /** Lamport of the author's last accepted entry; entries must go strictly up. */
  lastLamport = 0;
  /** The body hashes of each accepted update's entries, by seq: the bodies to send with it. */
  readonly bodyRefs: (Uint8Array[] | undefined)[] = [];
  readonly #room: Uint8Array;
  readonly #clientIds: number[] = [];
  readonly #generationOf = new Map<number, number>();
  /** Hashes of equivocation evidence, so a re-sent second branch counts as a duplicate. */
  readonly #evidenceHashes: Uint8Array[] = [];

  constructor(author: Uint8Array, room: Uint8Array, deviceId: DeviceId) {
    this.author = author;
    this.hex = toHex(author);
    this.deviceId = deviceId;
    this.#room = room;
  }

  get logRoot(): string {
    return `log:${this.deviceId}`;
  }

  get metaRoot(): string {
    return `meta:${this.deviceId}`;
  }

  get head(): ChainLink | undefined {
    return this.links[this.links.length - 1];
  }

  get pendingCount(): number {
    let n = 0;
    for (const list of this.pending.values()) n += list.length;
    return n;
  }

  clientId(generation: number): number {
    this.#extendClientIds(generation);
    return this.#clientIds[generation] ?? yjsClientId(this.author, this.#room, generation);
  }

  /** Whether `client` is one of this author's client IDs in generations 0..maxGeneration. */
  ownsClient(client: number, maxGeneration: number): boolean {
    this.#extendClientIds(maxGeneration);
    const generation = this.#generationOf.get(client);
    return generation !== undefined && generation <= maxGeneration;
  }

  /** The generation the author's next update should use, as the author sees it. */
  nextGeneration(): number {
    const head = this.head;
    if (head === undefined) return 0;
    return head.accepted ? head.generation : head.generation + 1;
  }

  place(update: SignedUpdate, hash: Uint8Array): Placement {
    const seq = update.seq;
    const existing = this.links[seq];
    if (existing !== undefined && bytesEqual(existing.hash, hash)) return { kind: 'duplicate' };
    if (this.pending.get(seq)?.some((p) => bytesEqual(p.hash, hash)) === true) {
      return { kind: 'duplicate' };
    }
    if (this.#inEvidence(hash)) return { kind: 'duplicate' };
    if (this.forkedAt !== undefined && seq >= this.forkedAt) return { kind: 'forked' };
    if (existing !== undefined) return { kind: 'equivocation', first: existing };
    return seq === this.links.length ? { kind: 'next' } : { kind: 'gap' };
  }

  addPending(p: PendingUpdate): void {
    const list = this.pending.get(p.update.seq);
    if (list === undefined) this.pending.set(p.update.seq, [p]);
    else list.push(p);
  }

  recordFork(evidence: ForkEvidence): void {
    this.evidence.push(evidence);
    this.#evidenceHashes.push(signedUpdateHash(evidence.second));
    if (this.forkedAt === undefined || evidence.seq < this.forkedAt) this.forkedAt = evidence.seq;
    for (const seq of [...this.pending.keys()]) {
      if (seq >= this.forkedAt) this.pending.delete(seq);
    }
  }

  linkUpdate(seq: number): SignedUpdate {
    const link = this.links[seq];
    if (link === undefined) throw new RangeError(`no link ${seq}`);
    return decodeSignedUpdate(link.encoded);
  }

  #inEvidence(hash: Uint8Array): boolean {
    return this.#evidenceHashes.some((h) => bytesEqual(h, hash));
  }

  #extendClientIds(generation: number): void {
    for (let g = this.#clientIds.length; g <= generation; g++) {
      const id = yjsClientId(this.author, this.#room, g);
      this.#clientIds.push(id);
      // On a (2^-53) collision between two generations, the first keeps the ID.
      if (!this.#generationOf.has(id)) this.#generationOf.set(id, g);
    }
  }
}
