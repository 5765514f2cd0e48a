import { bytesEqual, toHex } from '../crypto/bytes.ts';
import type { EpochRecord } from './epoch.ts';

/** Where an epoch sits: on the chain followed (its index), or on a kept losing branch. */
export type EpochPlace =
  | { readonly on: 'main'; readonly index: number; readonly record: EpochRecord }
  | { readonly on: 'side'; readonly record: EpochRecord };

/** A losing branch, from the epoch of the followed chain it forks at. */
export interface SideBranch {
  /** Index of the fork epoch on the followed chain. */
  readonly forkIndex: number;
  readonly records: readonly EpochRecord[];
}

/**
 * The epochs a device follows, oldest first, at most `retain` of them: enough to rank a late
 * commit against the one applied, to roll back to its parent, and to replay recent commits to
 * a member who missed them. Beside them, the epochs of losing branches that forked from a
 * retained epoch (bounded: `4 * retain`), so a branch that grows stronger later can still win
 * (group/fork-choice.ts); and the IDs of epochs given up for good, whose late messages are
 * dropped rather than held.
 */
export class EpochChain {
  readonly #records: EpochRecord[];
  readonly #retain: number;
  /** Side epochs by epoch ID hex, each with its parent's epoch ID hex, oldest added first. */
  readonly #side = new Map<string, { record: EpochRecord; parent: string }>();
  readonly #abandoned = new Set<string>();

  constructor(records: EpochRecord[], retain: number) {
    if (records.length === 0) throw new Error('an epoch chain needs at least one epoch');
    this.#records = records;
    this.#retain = retain;
  }

  get records(): readonly EpochRecord[] {
    return this.#records;
  }

  get head(): EpochRecord {
    const head = this.#records.at(-1);
    if (head === undefined) throw new Error('empty epoch chain');
    return head;
  }

  indexOf(epochId: Uint8Array): number {
    return this.#records.findIndex((r) => bytesEqual(r.epochId, epochId));
  }

  at(index: number): EpochRecord | undefined {
    return this.#records[index];
  }

  find(epochId: Uint8Array): EpochPlace | undefined {
    const index = this.indexOf(epochId);
    const record = this.#records[index];
    if (record !== undefined) return { on: 'main', index, record };
    const side = this.#side.get(toHex(epochId));
    return side === undefined ? undefined : { on: 'side', record: side.record };
  }

  isAbandoned(epochId: Uint8Array): boolean {
    return this.#abandoned.has(toHex(epochId));
  }

  /** Whether `commit` already made a child of the epoch `parent` (on any branch). */
  hasChild(parent: Uint8Array, commit: Uint8Array): boolean {
    const index = this.indexOf(parent);
    if (index >= 0 && bytesEqual(this.#records[index + 1]?.commit ?? new Uint8Array(), commit)) {
      return true;
    }
    const key = toHex(parent);
    for (const s of this.#side.values()) {
      if (s.parent === key && s.record.commit !== undefined && bytesEqual(s.record.commit, commit))
        return true;
    }
    return false;
  }

  append(record: EpochRecord): void {
    this.#records.push(record);
    this.#prune();
  }

  /** Keeps `record`, a child of `parent` that does not (yet) win. */
  addSide(record: EpochRecord, parent: Uint8Array): void {
    this.#side.set(toHex(record.epochId), { record, parent: toHex(parent) });
    while (this.#side.size > 4 * this.#retain) {
      const oldest = this.#side.keys().next();
      if (oldest.done === true) break;
      this.#forget(oldest.value);
    }
  }

  /** Gives up a side epoch (and so the branch it ends). */
  dropSide(epochId: Uint8Array): void {
    this.#forget(toHex(epochId));
  }

  /** The side branch ending at `epochId`, from the followed chain; undefined if it no longer forks from it. */
  branchTo(epochId: Uint8Array): SideBranch | undefined {
    const records: EpochRecord[] = [];
    let key = toHex(epochId);
    for (let i = 0; i <= this.#retain; i++) {
      const s = this.#side.get(key);
      if (s === undefined) return undefined;
      records.unshift(s.record);
      const forkIndex = this.#records.findIndex((r) => toHex(r.epochId) === s.parent);
      if (forkIndex >= 0) return { forkIndex, records };
      key = s.parent;
    }
    return undefined;
  }

  /** Side epochs that no other side epoch continues: the ends of the kept branches. */
  sideTips(): Uint8Array[] {
    const parents = new Set([...this.#side.values()].map((s) => s.parent));
    return [...this.#side.values()]
      .filter((s) => !parents.has(toHex(s.record.epochId)))
      .map((s) => s.record.epochId);
  }

  /**
   * Follows `branch` instead of the epochs after its fork: those become a side branch (they may
   * win again), and are returned, oldest first.
   */
  switchTo(branch: SideBranch): EpochRecord[] {
    const lost = this.#records.splice(branch.forkIndex + 1);
    let parent = this.#records[branch.forkIndex]?.epochId ?? new Uint8Array();
    for (const r of lost) {
      this.addSide(r, parent);
      parent = r.epochId;
    }
    for (const r of branch.records) this.#side.delete(toHex(r.epochId));
    this.#records.push(...branch.records);
    this.#prune();
    return lost;
  }

  /** Commits after the latest of `known` on this chain; undefined when none is on it. */
  commitsAfter(known: readonly Uint8Array[]): Uint8Array[] | undefined {
    for (let i = this.#records.length - 1; i >= 0; i--) {
      const record = this.#records[i];
      if (record !== undefined && known.some((id) => bytesEqual(id, record.epochId))) {
        return this.#records
          .slice(i + 1)
          .flatMap((r) => (r.commit === undefined ? [] : [r.commit]));
      }
    }
    return undefined;
  }

  /** Drops epochs beyond retention, and side epochs that can no longer fork from a retained one. */
  #prune(): void {
    while (this.#records.length > this.#retain) this.#records.shift();
    const oldest = this.#records[0]?.epoch ?? 0n;
    for (const [key, s] of this.#side) if (s.record.epoch <= oldest) this.#forget(key);
  }

  #forget(key: string): void {
    this.#side.delete(key);
    this.#abandoned.add(key);
    while (this.#abandoned.size > 4 * this.#retain) {
      const oldest = this.#abandoned.values().next();
      if (oldest.done === true) break;
      this.#abandoned.delete(oldest.value);
    }
  }
}
