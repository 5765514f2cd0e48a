import { bytesEqual, toHex } from '../crypto/bytes.ts';
import type { EpochRecord } from './epoch.ts';

/**
 * The epochs a device follows, oldest first, at most `retain` of them: enough to rank a late
 * commit against the one applied, to roll back to its parent, and to replay recent commits to
 * a member who missed them. Remembers (boundedly) the epochs of branches it abandoned, so
 * their late messages are dropped rather than held.
 */
export class EpochChain {
  readonly #records: EpochRecord[];
  readonly #retain: number;
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

  isAbandoned(epochId: Uint8Array): boolean {
    return this.#abandoned.has(toHex(epochId));
  }

  append(record: EpochRecord): void {
    this.#records.push(record);
    while (this.#records.length > this.#retain) this.#records.shift();
  }

  /** Drops every epoch after `index` (a losing branch) and returns them, oldest first. */
  abandonAfter(index: number): EpochRecord[] {
    const lost = this.#records.splice(index + 1);
    for (const r of lost) this.#abandoned.add(toHex(r.epochId));
    while (this.#abandoned.size > 4 * this.#retain) {
      const oldest = this.#abandoned.values().next();
      if (oldest.done === true) break;
      this.#abandoned.delete(oldest.value);
    }
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
}
